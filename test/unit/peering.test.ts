import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { parseMatrix } from '../../src/matrix/load.js';
import { applyPeeringRule, multiWorkerConfigs } from '../../src/matrix/peering.js';
import type { CellRecord } from '../../src/results/types.js';
import { tallyProbes } from '../../src/runner/cancel-check.js';
import { cancelRequestPacket } from '../../src/runner/cancel-request.js';
import { renderPgbouncerIni } from '../../src/stack/render.js';
import { cancelCheckFigure } from '../../summarize/figures/cancel-check/figure.js';
import { cancelRows } from '../../summarize/figures/cancel-check/rows.js';
import type { FigureContext } from '../../summarize/figures/figure.js';

const text = `
duration: 2s
concurrency: [4]
workloads: [readonly]
configs:
  - { name: one, kind: pgbouncer }
  - { name: many, kind: pgbouncer, workers: [1, 2], cancel_check: true }
  - { name: off, kind: pgbouncer, workers: 2, peering: false }
  - { name: asked, kind: pgbouncer, workers: 2, peering: true }
`;
const spec = parseMatrix(text, 'm.yaml').spec;
const peeringOf = (s: typeof spec, name: string) => {
  const c = s.configs.find((x) => x.name === name);
  return c?.kind === 'pgbouncer' ? c.peering : 'not pgbouncer';
};

describe('peering rule', () => {
  it('is decided for the expanded configs of more than one worker only', () => {
    expect(multiWorkerConfigs(spec)).toEqual(['many-w2', 'off', 'asked']);
  });

  it('peers the workers on PgBouncer 1.19 and later, unless the config says peering: false', () => {
    const out = applyPeeringRule(spec, () => ({ version: '1.24.1', where: 'image local/pgstack:trixie' }));
    expect(peeringOf(out, 'many-w2')).toBe(true);
    expect(peeringOf(out, 'asked')).toBe(true);
    expect(peeringOf(out, 'off')).toBe(false);
    expect(peeringOf(out, 'many-w1')).toBeUndefined();
    expect(peeringOf(out, 'one')).toBeUndefined();
    expect(applyPeeringRule(spec, () => ({ version: '1.19.0', where: 'x' }))).toEqual(out);
  });

  it('leaves 1.18 unpeered, and refuses peering: true there naming the version found and the one needed', () => {
    const without = spec.configs.filter((c) => c.name !== 'asked');
    const out = applyPeeringRule({ ...spec, configs: without }, () => ({
      version: '1.18.0',
      where: 'image b',
    }));
    expect(peeringOf(out, 'many-w2')).toBe(false);
    let e: unknown;
    try {
      applyPeeringRule(spec, () => ({ version: '1.18.0', where: '/usr/sbin/pgbouncer' }));
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(ConfigurationError);
    expect((e as Error).message).toBe(
      'config asked: peering: true needs PgBouncer >= 1.19 (peer_id, [peers]); found PgBouncer 1.18.0 (/usr/sbin/pgbouncer)',
    );
  });

  it('refuses peer_id in settings: the harness owns it', () => {
    expect(() =>
      parseMatrix(
        'duration: 1s\nconcurrency: [1]\nworkloads: [tpcb]\nconfigs: [{ name: p, kind: pgbouncer, settings: { peer_id: 3 } }]\n',
        'm.yaml',
      ),
    ).toThrow(/peer_id/);
  });

  it('renders peer_id and a [peers] entry per worker socket', () => {
    const ini = renderPgbouncerIni({
      hop: { pool_mode: 'transaction', default_pool_size: 5, settings: {} },
      listenPort: 6400,
      upstreamHost: '127.0.0.1',
      upstreamPort: 5400,
      database: 'bench',
      user: 'bench',
      authFile: '/w/userlist.txt',
      authType: 'trust',
      socketDir: '/s/worker-2',
      maxClientConn: 100,
      listenBacklog: 100,
      reusePort: true,
      peers: { id: 2, socketDirs: ['/s/worker-1', '/s/worker-2'] },
    });
    expect(ini).toContain('so_reuseport = 1\npeer_id = 2\n');
    expect(ini.endsWith('[peers]\n1 = host=/s/worker-1 port=6400\n2 = host=/s/worker-2 port=6400\n')).toBe(
      true,
    );
  });
});

describe('cancel check', () => {
  it('builds the 16-byte CancelRequest of the protocol', () => {
    expect(cancelRequestPacket(42, -7).toString('hex')).toBe('0000001004d2162e0000002afffffff9');
  });

  it('tallies probes: landed, missed and failed, with the landed latencies', () => {
    const r = tallyProbes(
      [
        { kind: 'landed', ms: 30 },
        { kind: 'missed' },
        { kind: 'landed', ms: 10 },
        { kind: 'failed', error: 'boom' },
        { kind: 'failed', error: 'boom' },
        { kind: 'landed', ms: 90 },
      ],
      1000,
    );
    expect(r).toEqual({
      probes: 6,
      landed: 3,
      missed: 1,
      failed: 2,
      promptMs: 1000,
      landedMs: { median: 30, max: 90 },
      errors: ['boom'],
    });
    expect(tallyProbes([], 1000)).toEqual({ probes: 0, landed: 0, missed: 0, failed: 0, promptMs: 1000 });
  });

  it('sums a config over its cells for the report', () => {
    const cell = (config: string, k: Partial<NonNullable<CellRecord['cancelCheck']>>, peered?: boolean) =>
      ({
        config,
        versions: { pgbouncer: '1.18.0' },
        ...(peered === undefined
          ? {}
          : {
              pgbouncerWorkers: {
                port: 1,
                listenSockets: 2,
                peered,
                workers: [{ worker: 1 }, { worker: 2 }],
              },
            }),
        cancelCheck: { probes: 0, landed: 0, missed: 0, failed: 0, promptMs: 1000, ...k },
      }) as unknown as CellRecord;
    const rows = cancelRows([
      cell('w2', { probes: 5, landed: 2, missed: 3, landedMs: { median: 20, max: 40 } }, false),
      cell('w1', { probes: 9, landed: 9 }),
      cell('w2', { probes: 4, landed: 1, missed: 2, failed: 1, landedMs: { median: 20, max: 60 } }, false),
    ]);
    expect(rows.map((r) => [r.config, r.workers, r.peered, r.cells, r.landed, r.missed, r.failed])).toEqual([
      ['w2', 2, false, 2, 3, 5, 1],
      ['w1', 1, undefined, 1, 9, 0, 0],
    ]);
    expect(rows[0]?.landedShare).toBeCloseTo(3 / 8);
    expect(rows[0]?.landedMaxMs).toBe(60);
  });

  it('blames the routing only when one process of the same version missed nothing', () => {
    const row = (config: string, workers: number, version: string, landed: number, missed: number) => ({
      config,
      version,
      workers,
      ...(workers > 1 ? { peered: false } : {}),
      cells: 1,
      probes: landed + missed,
      landed,
      missed,
      failed: 0,
      promptMs: 1000,
    });
    const table = cancelCheckFigure.tables[0];
    const ctx = {} as FigureContext;
    const notes = (rows: ReturnType<typeof row>[]) => table?.notes?.(rows, ctx) ?? [];
    expect(notes([row('w2', 2, '1.18.0', 3, 5), row('w1', 1, '1.18.0', 9, 0)])).toEqual([
      "w2: 5 of 8 cancels missed their query: its 2 workers were not peered: a cancel the kernel gave to another worker than the client's was ignored (one process of the same version, w1, landed all 9).",
    ]);
    expect(notes([row('w2', 2, '1.18.0', 3, 5), row('w1', 1, '1.18.0', 7, 2)])[0]).toMatch(
      /one process of the same version \(w1\) missed 2 of 9 too: not only the routing\.$/,
    );
    expect(notes([row('w2', 2, '1.18.0', 3, 5), row('w1', 1, '1.24.1', 9, 0)])[0]).toMatch(
      /the run has no one-process config of PgBouncer 1\.18\.0/,
    );
    expect(notes([row('w1', 1, '1.18.0', 0, 0)])).toEqual([
      'w1: no cancel was sent (every probe failed): nothing can be said.',
    ]);
  });
});
