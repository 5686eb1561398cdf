import { describe, expect, it } from 'vitest';
import { activitySample, PG_ACTIVITY_SQL } from '../../src/sampling/pg-activity.js';
import { parsePools, parseStats, poolsSample, statsDelta } from '../../src/sampling/pgbouncer-admin.js';

describe('pg_stat_activity', () => {
  it('counts client backends only and leaves the samplers out', () => {
    expect(PG_ACTIVITY_SQL).toContain("backend_type = 'client backend'");
    expect(PG_ACTIVITY_SQL).toContain('pg_backend_pid()');
    expect(PG_ACTIVITY_SQL).toContain("'bench-sampler'");
  });

  it('turns grouped rows into counts by state, user, database and application', () => {
    // node-postgres returns count(*) (int8) as a string and booleans as booleans.
    const rows = [
      {
        datname: 'bench',
        usename: 'app',
        application_name: 'pgbench',
        state: 'active',
        lock_wait: false,
        n: '3',
      },
      {
        datname: 'bench',
        usename: 'app',
        application_name: 'pgbench',
        state: 'active',
        lock_wait: true,
        n: '2',
      },
      {
        datname: 'bench',
        usename: 'app',
        application_name: 'pgbench',
        state: 'idle',
        lock_wait: false,
        n: '4',
      },
      {
        datname: 'bench',
        usename: 'app',
        application_name: '',
        state: 'idle in transaction',
        lock_wait: false,
        n: '1',
      },
      {
        datname: 'bench',
        usename: 'app',
        application_name: '',
        state: 'idle in transaction (aborted)',
        lock_wait: false,
        n: '1',
      },
      {
        datname: 'postgres',
        usename: 'postgres',
        application_name: 'psql',
        state: 'idle',
        lock_wait: false,
        n: 1,
      },
    ];
    const s = activitySample(rows, { t: 1000, database: 'bench', maxConnections: 100 });
    expect(s).toEqual({
      t: 1000,
      kind: 'pg_activity',
      all: {
        total: 12,
        active: 5,
        idle: 5,
        idleInTransaction: 1,
        idleInTransactionAborted: 1,
        other: 0,
        waitingOnLock: 2,
      },
      database: {
        name: 'bench',
        total: 11,
        active: 5,
        idle: 4,
        idleInTransaction: 1,
        idleInTransactionAborted: 1,
        other: 0,
        waitingOnLock: 2,
      },
      byUser: { app: 11, postgres: 1 },
      // The benchmark database only: postgres's psql session is elsewhere.
      databaseByUser: {
        app: {
          total: 11,
          active: 5,
          idle: 4,
          idleInTransaction: 1,
          idleInTransactionAborted: 1,
          other: 0,
          waitingOnLock: 2,
        },
      },
      byDatabase: { bench: 11, postgres: 1 },
      byApplication: { pgbench: 9, '': 2, psql: 1 },
      maxConnections: 100,
    });
  });

  it('counts the benchmark database per user, so one role can be told from another', () => {
    const rows = [
      {
        datname: 'bench',
        usename: 'bench_pgb',
        application_name: '',
        state: 'active',
        lock_wait: false,
        n: '5',
      },
      {
        datname: 'bench',
        usename: 'bench_direct',
        application_name: '',
        state: 'idle',
        lock_wait: false,
        n: '3',
      },
      {
        datname: 'other',
        usename: 'bench_pgb',
        application_name: '',
        state: 'idle',
        lock_wait: false,
        n: '2',
      },
    ];
    const s = activitySample(rows, { t: 1, database: 'bench' });
    expect(s.database.total).toBe(8);
    expect(s.databaseByUser?.bench_pgb).toMatchObject({ total: 5, active: 5, idle: 0 });
    expect(s.databaseByUser?.bench_direct).toMatchObject({ total: 3, active: 0, idle: 3 });
    expect(s.byUser).toEqual({ bench_pgb: 7, bench_direct: 3 });
  });

  it('an idle server is all zeros, and a garbled count is an error (a gap), not a number', () => {
    expect(activitySample([], { t: 1, database: 'bench' }).database.total).toBe(0);
    expect(() =>
      activitySample([{ datname: 'bench', state: 'idle', n: 'x' }], { t: 1, database: 'bench' }),
    ).toThrow();
  });
});

// SHOW POOLS as PgBouncer 1.18 returns it through node-postgres (int8 columns arrive as strings).
const POOLS = [
  {
    database: 'bench',
    user: 'postgres',
    cl_active: '5',
    cl_waiting: '15',
    cl_active_cancel_req: '0',
    cl_waiting_cancel_req: '0',
    sv_active: '5',
    sv_active_cancel: '0',
    sv_being_canceled: '0',
    sv_idle: '0',
    sv_used: '0',
    sv_tested: '0',
    sv_login: '0',
    maxwait: '1',
    maxwait_us: '250000',
    pool_mode: 'transaction',
  },
  {
    database: 'pgbouncer',
    user: 'pgbouncer',
    cl_active: '1',
    cl_waiting: '0',
    sv_active: '0',
    sv_idle: '0',
    sv_used: '0',
    maxwait: '0',
    maxwait_us: '0',
    pool_mode: 'statement',
  },
];

describe('PgBouncer admin', () => {
  it('reads SHOW POOLS without the admin database', () => {
    const pools = parsePools(POOLS);
    expect(pools).toEqual([
      {
        database: 'bench',
        user: 'postgres',
        clActive: 5,
        clWaiting: 15,
        svActive: 5,
        svIdle: 0,
        svUsed: 0,
        maxwaitMs: 1250,
      },
    ]);
    expect(poolsSample(7, pools).totals).toEqual({
      clActive: 5,
      clWaiting: 15,
      svActive: 5,
      svIdle: 0,
      svUsed: 0,
      serverConnections: 5,
      maxwaitMs: 1250,
    });
  });

  it('a missing column is an error, not a zero', () => {
    const { cl_waiting: _, ...row } = POOLS[0] ?? {};
    expect(() => parsePools([row])).toThrow(/cl_waiting/);
  });

  it('turns SHOW STATS counters into deltas, and refuses counters that went backwards', () => {
    const rows = (x: number, q: number, w: number) => [
      {
        database: 'bench',
        total_xact_count: String(x),
        total_query_count: String(q),
        total_wait_time: String(w),
      },
      { database: 'pgbouncer', total_xact_count: '9', total_query_count: '9', total_wait_time: '9' },
    ];
    const a = parseStats(rows(100, 120, 5000));
    const b = parseStats(rows(1100, 1320, 9000));
    expect(a).toEqual({ xacts: 100, queries: 120, waitTimeUs: 5000 });
    expect(statsDelta(a, b, 1000)).toEqual({ dtMs: 1000, xacts: 1000, queries: 1200, waitTimeUs: 4000 });
    expect(statsDelta(b, a, 1000)).toBeUndefined();
  });
});
