import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { type CellEvent, eventAtMs, eventsFor } from '../../src/matrix/events.js';
import { parseMatrix } from '../../src/matrix/load.js';
import { targetAdmins } from '../../src/runner/event-admin.js';
import { describeEvent, eventFailure } from '../../src/runner/events.js';
import { restartableInitScript } from '../../src/stack/container-postgres.js';
import { patchPgbouncerIni } from '../../src/stack/ini-patch.js';
import { renderPgbouncerIni } from '../../src/stack/render.js';
import type { ConfigPath, Endpoint } from '../../src/stack/types.js';

const base = `
duration: 10s
concurrency: [8]
workloads: [tpcb]
configs:
  - { name: tx, kind: pgbouncer, workers: 2 }
  - { name: one, kind: pgbouncer }
  - { name: direct, kind: direct }
  - { name: ha, kind: pgbouncer, standby: true, on_failover: reload }
  - { name: flaky, kind: direct, fault_relay: true }
  - { name: ha2, kind: pgbouncer, standby: true }
events:
`;
const withEvents = (...events: string[]) => `${base}${events.map((e) => `  - ${e}\n`).join('')}`;

function err(text: string, opts: Parameters<typeof parseMatrix>[2] = {}): string {
  try {
    parseMatrix(text, 'm.yaml', opts);
  } catch (e) {
    if (e instanceof ConfigurationError) return e.message;
    throw e;
  }
  throw new Error('expected a ConfigurationError');
}

describe('event kinds in the matrix', () => {
  it('parses each kind with its at as a time or a fraction of the cell', () => {
    const m = parseMatrix(
      withEvents(
        '{ at: 50%, target: tx/pgbouncer, admin: PAUSE }',
        '{ at: 2500ms, target: tx/worker-2, admin: " RESUME " }',
        '{ at: 1s, target: one/pgbouncer, settings: { default_pool_size: 5 } }',
        '{ at: 10%, target: direct/postgres, postgres: restart-fast }',
        '{ at: 3s, target: ha/postgres, failover: promote }',
        '{ at: 3s, target: ha2/postgres, failover: promote, stop: fast }',
        '{ at: 1s, target: flaky/relay, fault: { latency: 50ms, for: 3s } }',
        '{ at: 1s, target: flaky/relay, fault: { drop: connections } }',
      ),
      'm.yaml',
    );
    expect(m.spec.events.map((e) => [e.kind, e.at])).toEqual([
      ['admin', { fraction: 0.5 }],
      ['admin', { ms: 2500 }],
      ['settings', { ms: 1000 }],
      ['postgres', { fraction: 0.1 }],
      ['failover', { ms: 3000 }],
      ['failover', { ms: 3000 }],
      ['fault', { ms: 1000 }],
      ['fault', { ms: 1000 }],
    ]);
    expect(m.spec.events[1]).toMatchObject({ admin: 'RESUME' });
    expect(m.spec.events[4]).toMatchObject({ stop: 'crash' });
    expect(m.spec.events[5]).toMatchObject({ stop: 'fast' });
    expect(m.spec.events[6]).toMatchObject({ fault: { latencyMs: 50, forMs: 3000 } });
    expect(m.spec.events[7]).toMatchObject({ fault: { drop: 'connections' } });
  });

  it('puts a fraction inside whatever duration the cell measures (a --duration override too)', () => {
    const m = parseMatrix(withEvents('{ at: 50%, target: tx/pgbouncer, admin: PAUSE }'), 'm.yaml', {
      duration: '4s',
    });
    expect(eventsFor(m.spec.events, 'tx', { durationMs: 4000 }).map((e) => e.atMs)).toEqual([2000]);
    expect(eventAtMs({ fraction: 0.25 }, 10_000)).toBe(2500);
    // A time is checked against the duration that will run.
    expect(err(withEvents('{ at: 5s, target: tx/pgbouncer, admin: PAUSE }'), { duration: '4s' })).toBe(
      'm.yaml: events[0].at: expected a time inside the measured duration of tpcb (4 s), got 5 s',
    );
  });

  it('refuses a kind the config cannot take, naming the event by its path', () => {
    expect(err(withEvents('{ at: 1s, target: direct/pgbouncer, admin: PAUSE }'))).toBe(
      "m.yaml: events[0].admin: expected a kind direct can take (an admin command goes to PgBouncer's console and direct is a direct config)",
    );
    expect(
      err(withEvents('{ at: 1s, target: direct/pgbouncer, settings: { default_pool_size: 2 } }')),
    ).toMatch(
      /^m.yaml: events\[0\].settings: expected a kind direct can take \(settings rewrite PgBouncer's pgbouncer.ini/,
    );
    expect(err(withEvents('{ at: 1s, target: tx/postgres, failover: promote }'))).toBe(
      'm.yaml: events[0].failover: expected a kind tx can take (a failover promotes a standby and tx has no standby: true)',
    );
    expect(err(withEvents('{ at: 1s, target: tx/relay, fault: { drop: connections } }'))).toBe(
      'm.yaml: events[0].fault: expected a kind tx can take (a fault acts on a relay and tx has no fault_relay: true)',
    );
    expect(err(withEvents('{ at: 1s, target: tx/pgbouncer, postgres: crash }'))).toBe(
      'm.yaml: events[0].target: expected a component of tx for a postgres event (one of postgres)',
    );
    expect(err(withEvents('{ at: 1s, target: tx/worker-3, admin: PAUSE }'))).toBe(
      'm.yaml: events[0].target: expected a component of tx for a admin event (one of pgbouncer, worker-1, worker-2)',
    );
  });

  it('refuses an unknown setting, two kinds in one event, none, and stop without a failover', () => {
    expect(err(withEvents('{ at: 1s, target: one/pgbouncer, settings: { default_pool_sise: 5 } }'))).toBe(
      "m.yaml: events[0].settings.default_pool_sise: expected a PgBouncer setting name (default_pool_sise is not one; see PgBouncer's config.md)",
    );
    expect(err(withEvents('{ at: 1s, target: tx/pgbouncer, admin: PAUSE, signal: SIGINT }'))).toBe(
      'm.yaml: events[0]: expected exactly one of signal, admin, settings, postgres, failover, fault (got signal and admin)',
    );
    expect(err(withEvents('{ at: 1s, target: tx/pgbouncer }'))).toMatch(
      /^m.yaml: events\[0\]: expected exactly one of/,
    );
    expect(err(withEvents('{ at: 1s, target: tx/postgres, postgres: crash, stop: fast }'))).toBe(
      'm.yaml: events[0].stop: expected stop only with failover: promote',
    );
    expect(err(withEvents('{ at: 100%, target: tx/pgbouncer, admin: PAUSE }'))).toMatch(
      /^m.yaml: events\[0\].at: expected a fraction of the cell below 100%/,
    );
  });

  it('refuses on_failover without a standby', () => {
    const text = base
      .replace('standby: true, on_failover: reload', 'on_failover: reload')
      .replace('events:\n', '');
    expect(err(text)).toBe(
      'm.yaml: configs[3].on_failover: expected on_failover only with standby: true (there is nothing to fail over to)',
    );
  });
});

const ev = (e: Partial<CellEvent> & Pick<CellEvent, 'kind'>) =>
  ({ at: { ms: 0 }, atMs: 0, target: 'c/pgbouncer', ...e }) as CellEvent;

describe('event records', () => {
  it('says what each action does', () => {
    const pgb = { kind: 'pgbouncer' as const };
    expect(describeEvent(ev({ kind: 'admin', admin: 'PAUSE' }), pgb)).toBe('PAUSE');
    expect(describeEvent(ev({ kind: 'settings', settings: { default_pool_size: 5 } }), pgb)).toBe(
      'default_pool_size=5 + RELOAD',
    );
    expect(describeEvent(ev({ kind: 'postgres', postgres: 'restart-fast' }), pgb)).toBe('restart-fast');
    const promote = ev({ kind: 'failover', failover: 'promote', stop: 'crash' });
    expect(describeEvent(promote, { ...pgb, on_failover: 'reload' })).toBe('promote (crash) + reload');
    expect(describeEvent(promote, pgb)).toBe('promote (crash)');
    expect(describeEvent(ev({ kind: 'fault', fault: { latencyMs: 50, forMs: 3000 } }), pgb)).toBe(
      'latency 50ms for 3s',
    );
  });

  it('fails the cell for a fired action that failed, not for one pgbench outlived', () => {
    const r = { target: 'c/pgbouncer', atMs: 1000, pids: [] };
    expect(eventFailure([{ ...r, action: 'PAUSE', firedAt: 1, doneAt: 2 }])).toBeUndefined();
    expect(
      eventFailure([{ ...r, action: 'RESUME', error: 'not sent: pgbench ended first' }]),
    ).toBeUndefined();
    expect(
      eventFailure([{ ...r, action: 'KILL nosuchdb', firedAt: 1, error: 'no such database: nosuchdb' }]),
    ).toBe('event KILL nosuchdb on c/pgbouncer failed: no such database: nosuchdb');
  });

  it('sends an admin command to every worker console, or one', () => {
    const ep = (port: number): Endpoint => ({
      host: '/s',
      port,
      database: 'pgbouncer',
      user: 'u',
      password: '',
    });
    const workers = [1, 2].map((worker) => ({ worker, admin: ep(worker), component: {} as never }));
    const two: ConfigPath = { config: 'c', endpoint: ep(0), components: [], pgbouncerWorkers: workers };
    expect(targetAdmins('c/pgbouncer', two).map((e) => e.port)).toEqual([1, 2]);
    expect(targetAdmins('c/worker-2', two).map((e) => e.port)).toEqual([2]);
    const one: ConfigPath = { config: 'c', endpoint: ep(0), components: [], pgbouncerAdmin: ep(9) };
    expect(targetAdmins('c/pgbouncer', one).map((e) => e.port)).toEqual([9]);
    expect(targetAdmins('c/worker-1', one).map((e) => e.port)).toEqual([9]);
    expect(targetAdmins('c/worker-2', one)).toEqual([]);
  });
});

describe('pgbouncer.ini rewritten under a running PgBouncer', () => {
  const hop = { pool_mode: 'transaction' as const, default_pool_size: 20, settings: {} };
  const ini = renderPgbouncerIni({
    hop,
    database: 'bench',
    upstreamHost: '127.0.0.1',
    upstreamPort: 5432,
    listenPort: 6432,
    socketDir: '/tmp/s',
    authFile: '/tmp/s/userlist.txt',
    authType: 'scram-sha-256',
    user: 'bench',
    maxClientConn: 100,
    listenBacklog: 128,
  } as Parameters<typeof renderPgbouncerIni>[0]);

  it('replaces a setting in [pgbouncer], appends a new one, and repoints [databases]', () => {
    const out = patchPgbouncerIni(ini, {
      settings: { default_pool_size: 5, server_login_retry: 1 },
      upstream: { host: '127.0.0.1', port: 5433 },
    });
    expect(out).toContain('default_pool_size = 5\n');
    expect(out).not.toContain('default_pool_size = 20');
    expect(out.match(/default_pool_size/g)).toHaveLength(1);
    expect(out).toMatch(/\[pgbouncer\][\s\S]*server_login_retry = 1\n/);
    expect(out).toContain('bench = host=127.0.0.1 port=5433 dbname=bench');
    expect(out.endsWith('\n')).toBe(true);
    expect(patchPgbouncerIni(ini, {})).toBe(ini);
  });
});

describe('a container PostgreSQL that outlives its postmaster', () => {
  it('is a valid sh script that quotes every argument', () => {
    const script = restartableInitScript(['initdb', '-D', '/tmp/pgdata'], '/tmp/pgdata', ['-c', "x=it's"]);
    execFileSync('sh', ['-n', '-c', script]);
    expect(script).toContain(`'postgres' '-D' '/tmp/pgdata' '-c' 'x=it'\\''s' &`);
    expect(script).toContain('[ -e /tmp/bench-postgres-restart ] || exit "$code"');
  });
});
