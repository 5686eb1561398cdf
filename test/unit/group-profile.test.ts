import { describe, expect, it } from 'vitest';
import { parseMatrix } from '../../src/matrix/load.js';
import { mergeSequential, mergeSummaries } from '../../src/pgbench/merge-summary.js';
import type { PgbenchInvocation, PgbenchSummary } from '../../src/pgbench/types.js';
import { clientSlots, lanesOf } from '../../src/runner/chain.js';
import { mixProcesses } from '../../src/runner/mix-cell.js';
import { cellSummary, type PgbenchProcess, runProcesses } from '../../src/runner/pgbench-processes.js';
import { cellSettings, configOrder, planCells } from '../../src/runner/plan.js';
import type { ConfigPath, PgbenchResult, Stack } from '../../src/stack/types.js';

/** A client group with a profile of its own (docs/tenants.md): its segments chained in one mix cell. */

const BATCH =
  '{ name: batch, builtin: tpcb, clients: 3, profile: { shape: step, base: 50, segment: 1s, duration: 3s, bursts: [{ at: 1s, for: 1s, rate: 2000 }] } }';

const matrix = (groups: string, o: { duration?: string; concurrency?: string } = {}) =>
  parseMatrix(
    `
duration: ${o.duration ?? '3s'}
concurrency: ${o.concurrency ?? '[1, 2]'}
clients_per_pgbench: 2
configs:
  - { name: a, kind: direct }
workloads:
  - name: bursty
    mix:
${groups}`,
    'm.yaml',
  );

const TWO = `      - { name: web, builtin: readonly, clients: 2, rate: 100 }\n      - ${BATCH}\n`;

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

function settingsAt(concurrency: number) {
  const m = matrix(TWO);
  const cell = planCells(m, configOrder(['a'], 1, 'fixed', 1)).find((c) => c.concurrency === concurrency);
  if (!cell) throw new Error('no cell');
  return cellSettings(m, cell, { cores: 2, sampling: false });
}

const PATH = {
  endpoint: { host: '127.0.0.1', port: 5432, database: 'bench', user: 'u', password: 'p' },
} as unknown as ConfigPath;

const flag = (argv: readonly string[], f: string) => argv[argv.indexOf(f) + 1];

describe('a group profile in the matrix', () => {
  it('expands the profile into segments, 1 s segments allowed, and scales their rates like a rate', () => {
    const g1 = settingsAt(1).groups?.[1];
    expect(g1?.profile?.map((s) => [s.index, s.startMs, s.durationMs, s.rate, s.burst])).toEqual([
      [1, 0, 1000, 50, false],
      [2, 1000, 1000, 2000, true],
      [3, 2000, 1000, 50, false],
    ]);
    // A profile group offers no rate of its own: each segment's process sets -R.
    expect(g1?.workload.load?.rate).toBeUndefined();
    const g2 = settingsAt(2).groups?.[1];
    expect(g2?.clients).toBe(6);
    expect(g2?.profile?.map((s) => s.rate)).toEqual([100, 4000, 100]);
    // The other group keeps its fixed rate, scaled.
    expect(settingsAt(2).groups?.[0]?.workload.load?.rate).toBe(200);
  });

  it('refuses a rate beside a profile, -R in flags, and a duration other than the cell', () => {
    const prof = 'profile: { shape: constant, rate: 5, duration: 3s, segment: 1s }';
    expect(
      errorOf(() => matrix(`      - { name: a, builtin: tpcb, clients: 1, rate: 5, ${prof} }\n`)),
    ).toMatch(
      /m\.yaml: workloads\[0\]\.mix\[0\]\.profile: expected either "rate" or "profile" on a group, not both/,
    );
    expect(
      errorOf(() => matrix(`      - { name: a, builtin: tpcb, clients: 1, flags: ["-R", "9"], ${prof} }\n`)),
    ).toMatch(
      /workloads\[0\]\.mix\[0\]\.flags: expected no -R\/--rate in flags when "rate" or "profile" sets it/,
    );
    expect(
      errorOf(() =>
        matrix(
          `      - { name: w, builtin: readonly, clients: 1 }\n      - { name: a, builtin: tpcb, clients: 1, ${prof} }\n`,
          {
            duration: '4s',
          },
        ),
      ),
    ).toMatch(
      /workloads\[0\]\.mix\[1\]\.profile\.duration: expected the cell's measured duration \(the matrix's duration, or --duration: 4 s\), got 3 s/,
    );
  });

  it("refuses what a workload's profile schema refuses, and a profile on the mix itself", () => {
    expect(
      errorOf(() =>
        matrix(
          '      - { name: a, builtin: tpcb, clients: 1, profile: { shape: step, base: 5, duration: 3s, segment: 1s, bursts: [{ at: 1s, for: 3s, rate: 9 }] } }\n',
        ),
      ),
    ).toMatch(/workloads\[0\]\.mix\[0\]\.profile\.bursts\[0\]: expected a burst whose "at" and "for"/);
    expect(
      errorOf(() =>
        matrix('      - { name: a, builtin: tpcb, clients: 1, profile: { shape: wave, duration: 3s } }\n'),
      ),
    ).toMatch(/workloads\[0\]\.mix\[0\]\.profile\.shape: expected a profile shape/);
    expect(
      errorOf(() =>
        matrix('      - { name: a, builtin: tpcb, clients: 1, profile: { shape: constant, rate: 5 } }\n'),
      ),
    ).toMatch(/workloads\[0\]\.mix\[0\]\.profile\.duration: expected a duration in whole seconds/);
    expect(
      errorOf(() =>
        matrix(
          '      - { name: a, builtin: tpcb, clients: 1, profile: { shape: constant, rate: 5, duration: 3s, segment: 2s } }\n',
        ),
      ),
    ).toMatch(/workloads\[0\]\.mix\[0\]\.profile\.duration: expected a multiple of the segment length/);
    const onMix = `
duration: 3s
concurrency: [1]
configs: [{ name: a, kind: direct }]
workloads:
  - name: t
    profile: { shape: constant, rate: 5, duration: 3s, segment: 3s }
    mix: [{ name: g, builtin: tpcb, clients: 1 }]
`;
    expect(errorOf(() => parseMatrix(onMix, 'm.yaml'))).toMatch(
      /workloads\[0\]\.mix: expected rate, latency_limit, profile, reconnect and flags on each group of a mix/,
    );
  });
});

describe('the plan of a chain', () => {
  const o = (s: ReturnType<typeof settingsAt>) => ({
    path: PATH,
    groups: s.groups ?? [],
    clientsPerProcess: 2,
    protocol: s.protocol,
  });

  it("runs the profile group's segments as processes of their own, -T the segment and -R its rate", () => {
    const procs = mixProcesses(o(settingsAt(1)), 3, 'pgbench_log');
    const web = procs.filter((p) => p.group === 0);
    const batch = procs.filter((p) => p.group === 1);
    expect(web.map((p) => [flag(p.argv, '-T'), flag(p.argv, '-R'), p.logPrefix, p.segment])).toEqual([
      ['3', '100', 'pgbench_log_g1', undefined],
    ]);
    // 3 clients over processes of 2: each segment split in two, its rate divided by their share.
    expect(
      batch.map((p) => [p.segment?.index, p.clients, flag(p.argv, '-T'), flag(p.argv, '-R'), p.logPrefix]),
    ).toEqual([
      [0, 2, '1', '33.333333', 'pgbench_log_g2_s1_p0'],
      [0, 1, '1', '16.666667', 'pgbench_log_g2_s1_p1'],
      [1, 2, '1', '1333.333333', 'pgbench_log_g2_s2_p0'],
      [1, 1, '1', '666.666667', 'pgbench_log_g2_s2_p1'],
      [2, 2, '1', '33.333333', 'pgbench_log_g2_s3_p0'],
      [2, 1, '1', '16.666667', 'pgbench_log_g2_s3_p1'],
    ]);
    expect(new Set(procs.map((p) => p.logPrefix)).size).toBe(procs.length);
    expect(lanesOf(procs)).toEqual([
      [[0]],
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
    ]);
    // The same clients in every segment: one slot per split position, not one per process.
    expect(clientSlots(procs)).toEqual({ slot: [0, 1, 2, 1, 2, 1, 2], clients: [2, 2, 1] });
  });

  it('warms the profile group up as one pgbench at its first rate', () => {
    const procs = mixProcesses(o(settingsAt(1)), 2, undefined, false);
    expect(procs.map((p) => [p.group, flag(p.argv, '-T'), p.segment])).toEqual([
      [0, '2', undefined],
      [1, '2', undefined],
      [1, '2', undefined],
    ]);
    expect(procs.filter((p) => p.group === 1).map((p) => flag(p.argv, '-R'))).toEqual([
      '33.333333',
      '16.666667',
    ]);
  });
});

const seg = (processed: number, tps: number, durationS: number, more: Partial<PgbenchSummary> = {}) =>
  ({
    processed,
    failed: 0,
    aborted: false,
    tps,
    durationS,
    clients: 3,
    threads: 2,
    latencyAvgMs: 2,
    initialConnectionMs: 10,
    ...more,
  }) satisfies PgbenchSummary;

describe('the summary of segments run one after another', () => {
  it('adds transactions and seconds, not TPS (which mergeSummaries adds for processes side by side)', () => {
    const parts = [seg(50, 50, 1), seg(1800, 2000, 1, { latencyAvgMs: 5 }), seg(50, 50, 1)];
    const s = mergeSequential(parts);
    expect(s.processed).toBe(1900);
    expect(s.durationS).toBe(3);
    // 1,900 transactions over 1 + 0.9 + 1 measured seconds, not 2,100 tps.
    expect(s.tps).toBeCloseTo(1900 / 2.9, 9);
    expect(mergeSummaries(parts).tps).toBe(2100);
    expect(s.clients).toBe(3);
    expect(s.threads).toBe(2);
    expect(s.latencyAvgMs).toBeCloseTo((50 * 2 + 1800 * 5 + 50 * 2) / 1900, 9);
    // Every segment connected its clients anew.
    expect(s.initialConnectionMs).toBe(30);
  });

  it('merges a cell with a chain: segments in sequence, the chain beside the other groups', () => {
    const out = (s: PgbenchSummary): PgbenchResult => ({
      exitCode: 0,
      stdout: [
        `number of clients: ${s.clients}`,
        `number of threads: ${s.threads}`,
        `duration: ${s.durationS} s`,
        `number of transactions actually processed: ${s.processed}`,
        'number of failed transactions: 0 (0.000%)',
        `tps = ${s.tps} (without initial connection time)`,
      ].join('\n'),
      stderr: '',
      timedOut: false,
      aborted: false,
    });
    const procs: Pick<PgbenchProcess, 'group' | 'segment' | 'clients'>[] = [
      { group: 0, clients: 2 },
      ...[0, 1].map((index) => ({
        group: 1,
        clients: 3,
        segment: { index, count: 2, startMs: index * 1000, durationMs: 1000 },
      })),
    ];
    const parts = [out(seg(200, 100, 2)), out(seg(50, 50, 1)), out(seg(2000, 2000, 1))];
    const s = cellSummary(parts, procs);
    expect(s?.processed).toBe(2250);
    // 100 (web) + 2050 / 2 s (the chain), not 100 + 50 + 2000.
    expect(s?.tps).toBeCloseTo(100 + 1025, 9);
    expect(s?.durationS).toBe(2);
    expect(cellSummary(parts)?.tps).toBe(2150);
    // A segment that never started (stopped cell) is left out of its chain.
    const stopped: PgbenchResult = { exitCode: null, stdout: '', stderr: '', timedOut: false, aborted: true };
    expect(
      cellSummary([parts[0] as PgbenchResult, parts[1] as PgbenchResult, stopped], procs)?.tps,
    ).toBeCloseTo(150, 9);
  });
});

describe('running a chain', () => {
  /**
   * A fake pgbench: each run takes `ms` (or is told to fail, or to time out after `ms`), and the
   * order of starts and ends is kept.
   */
  function fakeStack(o: {
    ms: number;
    fail?: (args: string[]) => boolean;
    timeOut?: (args: string[]) => boolean;
  }) {
    const log: string[] = [];
    const stack = {
      pgbench: {
        version: 'fake',
        run: (inv: PgbenchInvocation) =>
          new Promise<PgbenchResult>((resolve) => {
            const name = inv.args.join(' ');
            log.push(`start ${name}`);
            if (o.fail?.(inv.args)) {
              log.push(`end ${name}`);
              resolve({ exitCode: 1, stdout: '', stderr: 'refused', timedOut: false, aborted: false });
              return;
            }
            const timer = setTimeout(() => {
              log.push(`end ${name}`);
              const timedOut = o.timeOut?.(inv.args) === true;
              resolve({
                exitCode: timedOut ? null : 0,
                stdout: timedOut ? '' : 'ok',
                stderr: '',
                timedOut,
                aborted: false,
              });
            }, o.ms);
            inv.signal?.addEventListener('abort', () => {
              clearTimeout(timer);
              log.push(`stop ${name}`);
              resolve({ exitCode: null, stdout: '', stderr: '', timedOut: false, aborted: true });
            });
          }),
      },
    } as unknown as Stack;
    return { stack, log };
  }
  const proc = (name: string, group: number, index?: number): PgbenchProcess => ({
    clients: 1,
    threads: 1,
    argv: [name],
    group,
    ...(index === undefined ? {} : { segment: { index, count: 3, startMs: index * 1000, durationMs: 1000 } }),
  });
  const procs = [proc('web', 0), proc('s1', 1, 0), proc('s2', 1, 1), proc('s3', 1, 2)];
  const opts = { cwd: '/tmp', path: PATH, timeoutMs: 10_000 };

  it('starts every lane together and each segment when the one before it ended', async () => {
    const { stack, log } = fakeStack({ ms: 5 });
    const starts: number[] = [];
    const parts = await runProcesses(stack, procs, { ...opts, onStart: (i) => starts.push(i) });
    expect(parts.map((r) => r.exitCode)).toEqual([0, 0, 0, 0]);
    expect(log.slice(0, 2).sort()).toEqual(['start s1', 'start web']);
    expect(log.indexOf('start s2')).toBeGreaterThan(log.indexOf('end s1'));
    expect(log.indexOf('start s3')).toBeGreaterThan(log.indexOf('end s2'));
    expect(starts.sort()).toEqual([0, 1, 2, 3]);
  });

  it('stops a chain on an interrupt: the running segment is stopped, the later ones never start', async () => {
    const { stack, log } = fakeStack({ ms: 200 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const parts = await runProcesses(stack, procs, { ...opts, signal: ac.signal });
    expect(parts.map((r) => r.aborted)).toEqual([true, true, true, true]);
    expect(log).not.toContain('start s2');
    expect(parts[3]?.stderr).toMatch(/not started: the cell was stopped/);
  });

  it('ends the chain when a segment times out: the later segments never start, and say why', async () => {
    const { stack, log } = fakeStack({ ms: 5, timeOut: (a) => a[0] === 's2' });
    const parts = await runProcesses(stack, procs, opts);
    expect(parts.map((r) => r.exitCode)).toEqual([0, 0, null, null]);
    expect(parts[2]?.timedOut).toBe(true);
    expect(log).toContain('end s2');
    expect(log).not.toContain('start s3');
    expect(parts[3]).toEqual({
      exitCode: null,
      stdout: '',
      stderr: "bench: not started: an earlier segment of this group's profile timed out\n",
      timedOut: true,
      aborted: false,
    });
  });

  it("stops the chain when another group's process fails, saying so", async () => {
    const { stack, log } = fakeStack({ ms: 100, fail: (a) => a[0] === 'web' });
    const parts = await runProcesses(stack, procs, opts);
    expect(parts[0]?.exitCode).toBe(1);
    expect(log).not.toContain('start s2');
    for (const r of parts.slice(1)) {
      expect(r.aborted).toBe(false);
      expect(r.stderr).toMatch(/another pgbench process of this cell failed/);
    }
  });
});
