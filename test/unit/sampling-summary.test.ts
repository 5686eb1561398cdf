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
});
