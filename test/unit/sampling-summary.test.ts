import { describe, expect, it } from 'vitest';
import type { CellRecord } from '../../src/results/types.js';
import { summarizeSamples } from '../../src/sampling/summary.js';
import type { PgActivitySample, PgbouncerSample, Sample, SamplingSummary } from '../../src/sampling/types.js';

const counts = {
  active: 0,
  idle: 0,
  idleInTransaction: 0,
  idleInTransactionAborted: 0,
  other: 0,
  waitingOnLock: 0,
};

function act(t: number, total: number, extra: Partial<typeof counts> = {}): PgActivitySample {
  return {
    t,
    kind: 'pg_activity',
    all: { ...counts, total: total + 1, idle: 1 },
    database: { name: 'bench', ...counts, total, ...extra },
    byUser: {},
    byDatabase: { bench: total },
    byApplication: {},
    maxConnections: 100,
  };
}

function pools(
  t: number,
  clWaiting: number,
  svActive: number,
  svIdle: number,
  maxwaitMs: number,
): PgbouncerSample {
  return {
    t,
    kind: 'pgbouncer',
    pools: [],
    totals: {
      clActive: 5,
      clWaiting,
      svActive,
      svIdle,
      svUsed: 0,
      serverConnections: svActive + svIdle,
      maxwaitMs,
    },
    ...(t > 0 ? { stats: { dtMs: 1000, xacts: 1000, queries: 1000, waitTimeUs: 2500 } } : {}),
  };
}

const ctx = {
  intervalMs: 1000,
  clients: 20,
  database: 'bench',
  ticks: 3,
  warnings: ['proc: PSS not readable (EACCES); PSS disabled for this cell'],
  roles: { postgres: 'postgres', 'pgbouncer:pgb': 'pgbouncer' },
};

describe('summarizeSamples', () => {
  const samples: Sample[] = [
    act(0, 0),
    pools(0, 0, 0, 0, 0),
    { t: 0, kind: 'proc', component: 'postgres', pid: 10, processes: 6, rssBytes: 100 },
    act(1000, 5, { active: 5, waitingOnLock: 1 }),
    pools(1000, 15, 5, 0, 12.5),
    {
      t: 1000,
      kind: 'proc',
      component: 'postgres',
      pid: 10,
      processes: 11,
      rssBytes: 300,
      cpuCores: 1.5,
      cpuSeconds: 1.5,
      dtMs: 1000,
    },
    { t: 1000, kind: 'proc', component: 'pgbouncer:pgb', gap: true, error: 'process 11 is gone' },
    act(2000, 4, { active: 3, idleInTransaction: 1 }),
    pools(2000, 10, 4, 1, 3),
    // A delta spanning two seconds after a missed sample weighs twice.
    {
      t: 2000,
      kind: 'proc',
      component: 'postgres',
      pid: 10,
      processes: 10,
      rssBytes: 200,
      cpuCores: 0.5,
      cpuSeconds: 1,
      dtMs: 2000,
    },
    { t: 2000, kind: 'proc', component: 'pgbouncer:pgb', gap: true, error: 'process 11 is gone' },
    { t: 3000, kind: 'tick', gap: true, error: 'previous tick still running' },
  ];
  const s = summarizeSamples(samples, ctx);

  it('reports server backends, pools, components and the multiplexing ratio', () => {
    expect(s).toEqual({
      intervalMs: 1000,
      ticks: 3,
      skippedTicks: 1,
      samples: 12,
      gaps: 3,
      warnings: [
        'proc: PSS not readable (EACCES); PSS disabled for this cell',
        'sampling proc pgbouncer:pgb: 2 of 3 sample(s) missing (first error: process 11 is gone)',
        'sampling: 1 tick(s) skipped because the previous tick was still running',
      ],
      postgres: {
        database: 'bench',
        samples: 3,
        serverBackendsPeak: 5,
        serverBackendsMean: 3,
        activePeak: 5,
        idleInTransactionPeak: 1,
        waitingOnLockPeak: 1,
        clientBackendsPeak: 6,
        maxConnections: 100,
      },
      pgbouncer: {
        samples: 3,
        clActivePeak: 5,
        clWaitingPeak: 15,
        maxwaitMsPeak: 12.5,
        svActivePeak: 5,
        serverConnectionsPeak: 5,
        xacts: 2000,
        queries: 2000,
        waitTimeMs: 5,
      },
      components: {
        postgres: {
          role: 'postgres',
          pid: 10,
          samples: 3,
          rssPeakBytes: 300,
          rssMeanBytes: 200,
          cpuCoresMean: 0.8333,
          cpuCoresPeak: 1.5,
          processesPeak: 11,
        },
      },
      clients: 20,
      multiplexing: 4,
    });
  });

  it('fits CellRecord.sampling', () => {
    const sampling: CellRecord['sampling'] = s satisfies SamplingSummary;
    expect(sampling).toBe(s);
  });

  it('invents nothing when every sampler failed', () => {
    const empty = summarizeSamples(
      [
        { t: 0, kind: 'pg_activity', gap: true, error: 'connect ECONNREFUSED 127.0.0.1:1' },
        { t: 0, kind: 'pgbouncer', gap: true, error: 'connect ECONNREFUSED 127.0.0.1:2' },
      ],
      { ...ctx, ticks: 1, warnings: [] },
    );
    expect(empty).toEqual({
      intervalMs: 1000,
      ticks: 1,
      skippedTicks: 0,
      samples: 2,
      gaps: 2,
      warnings: [
        'sampling pg_activity: 1 of 1 sample(s) missing (first error: connect ECONNREFUSED 127.0.0.1:1)',
        'sampling pgbouncer: 1 of 1 sample(s) missing (first error: connect ECONNREFUSED 127.0.0.1:2)',
      ],
      components: {},
      clients: 20,
    });
  });

  it('records why PSS is missing for a component', () => {
    const r = summarizeSamples(samples, { ...ctx, pssErrors: { postgres: 'EACCES' } });
    expect(r.components.postgres?.pssError).toBe('EACCES');
    expect(r.components.postgres?.pssPeakBytes).toBeUndefined();
  });
});

describe('summarizeSamples with a role (attribution)', () => {
  const byUser = (c: Record<string, Partial<typeof counts> & { total: number }>) =>
    Object.fromEntries(Object.entries(c).map(([u, v]) => [u, { ...counts, ...v }]));
  /** 4 backends of the config's role, 3 of another config's, 1 harness connection elsewhere. */
  const tick = (t: number, mine: number, theirs: number, pss?: number): Sample[] => [
    {
      t,
      kind: 'pg_activity',
      all: { ...counts, total: mine + theirs + 1 },
      database: { name: 'bench', ...counts, total: mine + theirs, active: mine + theirs },
      byUser: { bench_pgb: mine, bench_direct: theirs, bench: 1 },
      databaseByUser: byUser({
        bench_pgb: { total: mine, active: mine - 1, idleInTransaction: 1 },
        bench_direct: { total: theirs, active: theirs },
      }),
      byDatabase: { bench: mine + theirs, postgres: 1 },
      byApplication: {},
    },
    {
      t,
      kind: 'proc',
      component: 'postgres',
      pid: 10,
      processes: 8 + mine + theirs,
      rssBytes: 1000,
      ...(pss !== undefined ? { pssBytes: pss } : {}),
    },
  ];
  const samples = [...tick(1000, 4, 3, 700), ...tick(2000, 2, 3, 600), ...tick(3000, 4, 0)];
  const roleCtx = { ...ctx, warnings: [], clients: 8, role: 'bench_pgb' };

  it("counts only the role's backends as server backends, and the others as foreign", () => {
    const r = summarizeSamples(samples, roleCtx);
    expect(r.postgres).toEqual({
      database: 'bench',
      role: 'bench_pgb',
      samples: 3,
      serverBackendsPeak: 4,
      serverBackendsMean: 3.33,
      activePeak: 3,
      idleInTransactionPeak: 1,
      waitingOnLockPeak: 0,
      clientBackendsPeak: 8,
      databaseBackendsPeak: 7,
      // bench_direct's 3 plus the harness's own connection on another database.
      foreignBackendsPeak: 4,
      // (700 / 4 + 600 / 2) / 2: the tick without PSS has no ratio.
      pssPerBackendBytes: 238,
      pssPerBackendSamples: 2,
    });
    expect(r.multiplexing).toBe(2);
  });

  it('without a role counts every backend of the database, as before', () => {
    const r = summarizeSamples(samples, { ...roleCtx, role: undefined });
    expect(r.postgres?.serverBackendsPeak).toBe(7);
    expect(r.postgres?.role).toBeUndefined();
    expect(r.postgres?.foreignBackendsPeak).toBeUndefined();
    // (700 / 7 + 600 / 5) / 2
    expect(r.postgres?.pssPerBackendBytes).toBe(110);
  });

  it('a role with no backend (or samples from before databaseByUser) counts 0, not everyone', () => {
    const old = samples.map((x) => {
      if (x.kind !== 'pg_activity' || 'gap' in x) return x;
      const { databaseByUser: _drop, ...rest } = x;
      return rest;
    });
    const r = summarizeSamples(old, roleCtx);
    expect(r.postgres?.serverBackendsPeak).toBe(0);
    expect(r.postgres?.pssPerBackendBytes).toBeUndefined();
    expect(r.multiplexing).toBeUndefined();
  });

  it('the PSS readings of a component are counted', () => {
    const r = summarizeSamples(samples, roleCtx);
    expect(r.components.postgres).toMatchObject({ pssPeakBytes: 700, pssMeanBytes: 650, pssSamples: 2 });
  });
});
