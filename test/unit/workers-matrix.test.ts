import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { eventsFor } from '../../src/matrix/events.js';
import { parseMatrix } from '../../src/matrix/load.js';
import { expandWorkers } from '../../src/matrix/workers.js';
import { cellSettings } from '../../src/runner/plan.js';
import { renderPgbouncerIni } from '../../src/stack/render.js';
import { postgresSizing } from '../../src/stack/sizing.js';

const base = `
duration: 10s
concurrency: [8]
workloads: [readonly-short]
configs:
  - { name: tx, kind: pgbouncer, workers: [1, 2, 4] }
  - { name: stop, kind: pgbouncer, workers: 2 }
  - { name: direct, kind: direct }
`;

function err(text: string): ConfigurationError {
  try {
    parseMatrix(text, 'm.yaml');
  } catch (e) {
    if (e instanceof ConfigurationError) return e;
    throw e;
  }
  throw new Error('expected a ConfigurationError');
}

describe('workers', () => {
  it('expands a workers list into one config per value, in place, each with its count', () => {
    const m = parseMatrix(`${base}baseline: tx\n`, 'm.yaml');
    expect(m.spec.configs.map((c) => [c.name, c.kind === 'pgbouncer' ? c.workers : undefined])).toEqual([
      ['tx-w1', 1],
      ['tx-w2', 2],
      ['tx-w4', 4],
      ['stop', 2],
      ['direct', undefined],
    ]);
    // A baseline naming the list means its first expansion.
    expect(m.spec.baseline).toBe('tx-w1');
  });

  it('keeps a baseline naming an expansion when --configs selects its list', () => {
    const text = `${base}baseline: tx-w1\n`;
    expect(parseMatrix(text, 'm', { configs: ['tx'] }).spec.baseline).toBe('tx-w1');
    expect(parseMatrix(text, 'm', { configs: ['stop'] }).spec.baseline).toBeUndefined();
  });

  it('keeps a config without a list as it is (same object)', () => {
    const c = { name: 'a', kind: 'pgbouncer', workers: 3 };
    const r = expandWorkers([c]);
    expect(r.configs[0]).toBe(c);
    expect(r.expandedFrom.size).toBe(0);
  });

  it('refuses repeated counts and counts out of range, naming the field', () => {
    expect(err(base.replace('[1, 2, 4]', '[2, 2]')).message).toBe(
      'm.yaml: configs[0].workers: expected unique worker counts (2 repeats)',
    );
    expect(err(base.replace('[1, 2, 4]', '0')).message).toMatch(/^m.yaml: configs\[0\].workers: expected/);
  });

  it('sets so_reuseport only for several workers, and sizes max_connections for every worker pool', () => {
    const ini = (reusePort: boolean) =>
      renderPgbouncerIni({
        hop: { pool_mode: 'transaction', default_pool_size: 20, settings: {} },
        listenPort: 6432,
        upstreamHost: '127.0.0.1',
        upstreamPort: 5432,
        database: 'bench',
        user: 'bench',
        authFile: '/x/userlist.txt',
        authType: 'trust',
        socketDir: '/x/w2',
        maxClientConn: 108,
        listenBacklog: 8,
        reusePort,
      });
    expect(ini(true)).toContain('so_reuseport = 1');
    expect(ini(false)).not.toContain('so_reuseport');
    const m = parseMatrix(
      base.replace('workers: [1, 2, 4]', 'workers: [1, 2, 4], default_pool_size: 40'),
      'm',
    );
    expect(postgresSizing(m.spec, 64 * 2 ** 30).sized).toBe(4 * 40 + 20);
  });

  it('does not let a matrix set so_reuseport itself', () => {
    expect(err(base.replace('workers: 2 }', 'workers: 2, settings: { so_reuseport: 0 } }')).message).toMatch(
      /configs\[1\].settings.so_reuseport: expected a pgbouncer.ini setting the harness does not own/,
    );
  });
});

describe('events', () => {
  const withEvent = (e: string) => `${base}events:\n  - ${e}\n`;

  it('parses an event and hands it to every cell of its config only', () => {
    const m = parseMatrix(withEvent('{ at: 5s, signal: SIGINT, target: stop/worker-2 }'), 'm');
    expect(m.spec.events).toEqual([
      { at: { ms: 5000 }, kind: 'signal', signal: 'SIGINT', target: 'stop/worker-2' },
    ]);
    expect(eventsFor(m.spec.events, 'stop', { durationMs: 10_000 })).toHaveLength(1);
    expect(eventsFor(m.spec.events, 'tx-w2', { durationMs: 10_000 })).toHaveLength(0);
    const cell = { id: 'x', index: 0, workload: 'readonly-short', concurrency: 8, rep: 1 };
    const env = { cores: 2, sampling: false };
    expect(cellSettings(m, { ...cell, config: 'stop' }, env).events).toHaveLength(1);
    expect(cellSettings(m, { ...cell, config: 'tx-w1' }, env).events).toBeUndefined();
  });

  it('refuses a target the matrix does not have, with the names it has', () => {
    expect(err(withEvent('{ at: 5s, signal: SIGINT, target: nope/pgbouncer }')).message).toBe(
      'm.yaml: events[0].target: expected a config name (one of tx-w1, tx-w2, tx-w4, stop, direct)',
    );
    expect(err(withEvent('{ at: 5s, signal: SIGINT, target: tx/worker-1 }')).message).toBe(
      'm.yaml: events[0].target: expected a config name (tx is a workers list, expanded into tx-w1, tx-w2, tx-w4)',
    );
    expect(err(withEvent('{ at: 5s, signal: SIGINT, target: stop/worker-3 }')).message).toBe(
      'm.yaml: events[0].target: expected a component of stop for a signal event (one of pgbouncer, worker-1, worker-2)',
    );
    expect(err(withEvent('{ at: 5s, signal: SIGINT, target: direct/pgbouncer }')).message).toBe(
      'm.yaml: events[0].signal: expected a kind direct can take (direct has no pooler or proxy)',
    );
    expect(err(withEvent('{ at: 5s, signal: SIGINT, target: stop }')).message).toMatch(
      /^m.yaml: events\[0\].target: expected "<config>\/<component>"/,
    );
  });

  it('refuses a time outside the measured duration and an unknown signal', () => {
    expect(err(withEvent('{ at: 10s, signal: SIGINT, target: stop/pgbouncer }')).message).toBe(
      'm.yaml: events[0].at: expected a time inside the measured duration of readonly-short (10 s), got 10 s',
    );
    expect(err(withEvent('{ at: 1s, signal: SIGSTOP, target: stop/pgbouncer }')).message).toMatch(
      /^m.yaml: events\[0\].signal: expected one of SIGINT/,
    );
  });

  it('drops the events of configs a --configs subset leaves out', () => {
    const text = withEvent('{ at: 5s, signal: SIGINT, target: stop/worker-2 }');
    expect(parseMatrix(text, 'm', { configs: ['tx'] }).spec.events).toEqual([]);
    expect(parseMatrix(text, 'm', { configs: ['stop'] }).spec.events).toHaveLength(1);
  });
});

describe('events and profile workloads', () => {
  const profileBase = `
duration: 10s
concurrency: [8]
workloads:
  - readonly
  - { name: wave, builtin: readonly, profile: { shape: constant, rate: 100, duration: 20s, segment: 4s } }
configs:
  - { name: stop, kind: pgbouncer, workers: 2 }
events:
  - { at: 1s, signal: SIGINT, target: stop/worker-2 }
`;
  it('puts an event on the profile timeline: it fires only in the segment containing it', () => {
    const m = parseMatrix(profileBase.replace('at: 1s', 'at: 9s'), 'm', { workloads: ['wave'] });
    const segs = m.workloads.map((w) => w.load?.segment).filter((x) => x !== undefined);
    const fired = segs.map((segment) => eventsFor(m.spec.events, 'stop', { durationMs: 4000, segment }));
    expect(fired.map((f) => f.map((e) => e.atMs))).toEqual([[], [], [1000], [], []]);
  });
  it('checks at against every workload: the matrix duration and the profile timeline', () => {
    const late = profileBase.replace('at: 1s', 'at: 12s');
    expect(() => parseMatrix(late, 'm')).toThrow(
      'events[0].at: expected a time inside the measured duration of readonly (10 s), got 12 s',
    );
    expect(parseMatrix(late, 'm', { workloads: ['wave'] }).spec.events).toHaveLength(1);
    expect(() => parseMatrix(profileBase.replace('at: 1s', 'at: 20s'), 'm', { workloads: ['wave'] })).toThrow(
      "events[0].at: expected a time inside profile wave's timeline (20 s), got 20 s",
    );
  });
});
