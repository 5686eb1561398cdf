import { describe, expect, it } from 'vitest';
import { mergeWorkerSamples, poolProcesses } from '../../src/sampling/pgbouncer-workers.js';
import { poolerCost, summarizePools } from '../../src/sampling/pool-summary.js';
import type { ComponentSummary, PgbouncerPool, PgbouncerSample } from '../../src/sampling/types.js';

const pool = (
  database: string,
  user: string,
  clActive: number,
  clWaiting: number,
  maxwaitMs = 0,
): PgbouncerPool => ({
  database,
  user,
  clActive,
  clWaiting,
  svActive: clActive,
  svIdle: 1,
  svUsed: 0,
  maxwaitMs,
});

const tick = (t: number, pools: PgbouncerPool[]): PgbouncerSample => ({
  t,
  kind: 'pgbouncer',
  pools,
  totals: {
    clActive: 0,
    clWaiting: 0,
    svActive: 0,
    svIdle: 0,
    svUsed: 0,
    serverConnections: 0,
    maxwaitMs: 0,
  },
});

describe('summarizePools', () => {
  it('gives each (database, user) its own peaks and means, most waiting first', () => {
    const s = summarizePools([
      tick(0, [pool('t1', 'a', 2, 0), pool('t2', 'a', 1, 3, 40)]),
      tick(1, [pool('t1', 'a', 4, 1, 5), pool('t2', 'a', 1, 1, 10), pool('t3', 'b', 0, 0)]),
    ]);
    expect(s.poolsPeak).toBe(3);
    expect(s.poolsSeen).toBe(3);
    expect(s.poolsOmitted).toBe(0);
    expect(s.pools.map((p) => `${p.database}/${p.user}`)).toEqual(['t2/a', 't1/a', 't3/b']);
    expect(s.pools[0]).toEqual({
      database: 't2',
      user: 'a',
      samples: 2,
      clActivePeak: 1,
      clActiveMean: 1,
      clWaitingPeak: 3,
      clWaitingMean: 2,
      svActivePeak: 1,
      svIdlePeak: 1,
      maxwaitMsPeak: 40,
    });
    expect(s.pools[1]?.clActiveMean).toBe(3);
  });

  it('sums the workers that list one pool at a tick, and lists only the top pools', () => {
    const s = summarizePools(
      [
        tick(0, [
          pool('t1', 'a', 2, 1, 3),
          pool('t1', 'a', 3, 2, 7),
          pool('t2', 'a', 0, 0),
          pool('t3', 'a', 0, 0),
        ]),
      ],
      2,
    );
    expect(s.poolsPeak).toBe(3);
    expect(s.pools[0]).toMatchObject({ database: 't1', clActivePeak: 5, clWaitingPeak: 3, maxwaitMsPeak: 7 });
    expect(s.pools).toHaveLength(2);
    expect(s.poolsOmitted).toBe(1);
  });
});

describe('summarizePools with a PgBouncer per group', () => {
  // mergeWorkerSamples tags each group process's pools with its process (pgbouncer_per_group).
  const processes = poolProcesses([
    { key: 'pgbouncer:pp' },
    { key: 'pgbouncer:pp/group-web', group: 'web' },
    { key: 'pgbouncer:pp/group-batch', group: 'batch' },
  ]);
  const at = (t: number, web: PgbouncerPool, batch: PgbouncerPool) =>
    mergeWorkerSamples(t, [
      { worker: 1, sample: tick(t, [pool('bench', 'role', 0, 0)]), process: processes?.[0] },
      { worker: 2, sample: tick(t, [web]), process: processes?.[1] },
      { worker: 3, sample: tick(t, [batch]), process: processes?.[2] },
    ]) as PgbouncerSample;

  it("keeps each process's pool bench/role apart, each with its own waiting and group", () => {
    const s = summarizePools([
      at(0, pool('bench', 'role', 2, 0), pool('bench', 'role', 2, 4, 30)),
      at(1, pool('bench', 'role', 1, 0), pool('bench', 'role', 2, 6, 50)),
    ]);
    expect(s.poolsPeak).toBe(3);
    expect(s.poolsSeen).toBe(3);
    const batch = s.pools.find((p) => p.group === 'batch');
    const web = s.pools.find((p) => p.group === 'web');
    expect(batch).toMatchObject({
      database: 'bench',
      user: 'role',
      process: 'pgbouncer:pp/group-batch',
      clWaitingPeak: 6,
      clWaitingMean: 5,
      clActivePeak: 2,
      maxwaitMsPeak: 50,
    });
    expect(web).toMatchObject({ process: 'pgbouncer:pp/group-web', clWaitingPeak: 0, clActivePeak: 2 });
    expect(s.pools[0]).toBe(batch);
    // The config's own process: its pool, no group.
    expect(s.pools.find((p) => p.process === 'pgbouncer:pp')?.group).toBeUndefined();
  });

  it('leaves workers: N (no worker with a group) summed into one pool', () => {
    expect(poolProcesses([{ key: 'pgbouncer:w/worker-1' }, { key: 'pgbouncer:w/worker-2' }])).toBeUndefined();
    const m = mergeWorkerSamples(0, [
      { worker: 1, sample: tick(0, [pool('bench', 'role', 2, 1)]) },
      { worker: 2, sample: tick(0, [pool('bench', 'role', 3, 2)]) },
    ]) as PgbouncerSample;
    const s = summarizePools([m]);
    expect(s.poolsPeak).toBe(1);
    expect(s.pools).toEqual([expect.objectContaining({ clActivePeak: 5, clWaitingPeak: 3 })]);
    expect(s.pools[0]?.process).toBeUndefined();
  });
});

describe('poolerCost', () => {
  const c = (pss: number | undefined, cpu: number | undefined): ComponentSummary => ({
    role: 'pgbouncer',
    pid: 1,
    samples: 3,
    rssPeakBytes: 1,
    rssMeanBytes: 1,
    processesPeak: 1,
    ...(pss !== undefined ? { pssMeanBytes: pss } : {}),
    ...(cpu !== undefined ? { cpuCoresMean: cpu } : {}),
  });

  it('divides the PgBouncer trees summed over workers by the pool count', () => {
    const cost = poolerCost(
      { postgres: c(9e9, 1), 'pgbouncer:x': c(3_000_000, 0.05), 'pgbouncer:x#1': c(1_000_000, 0.03) },
      100,
    );
    expect(cost).toEqual({
      components: ['pgbouncer:x', 'pgbouncer:x#1'],
      pools: 100,
      pssMeanBytes: 4_000_000,
      pssPerPoolBytes: 40_000,
      cpuCoresMean: 0.08,
      cpuCoresPerPool: 0.0008,
    });
  });

  it('says nothing it did not measure', () => {
    expect(poolerCost({ 'pgbouncer:x': c(undefined, undefined) }, 10)).toEqual({
      components: ['pgbouncer:x'],
      pools: 10,
    });
    expect(poolerCost({ postgres: c(1, 1) }, 10)).toBeUndefined();
    expect(poolerCost({ 'pgbouncer:x': c(1, 1) }, 0)).toBeUndefined();
  });
});
