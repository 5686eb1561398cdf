import type { Endpoint } from '../stack/types.js';
import { LazyClient, num, type Row, SAMPLER_APPLICATION_NAME, str } from './pg-conn.js';
import type { PgActivitySample, StateCounts } from './types.js';

/**
 * Client backends grouped so one small result answers every count: the sampler's own backend and
 * every other 'bench-sampler' connection are excluded, as are background workers, autovacuum and
 * walsenders (backend_type), which are not the server side of any client path.
 */
export const PG_ACTIVITY_SQL = `SELECT coalesce(datname, '') AS datname,
       coalesce(usename, '') AS usename,
       coalesce(application_name, '') AS application_name,
       coalesce(state, '') AS state,
       coalesce(wait_event_type = 'Lock', false) AS lock_wait,
       count(*) AS n
  FROM pg_stat_activity
 WHERE backend_type = 'client backend'
   AND pid <> pg_backend_pid()
   AND coalesce(application_name, '') <> '${SAMPLER_APPLICATION_NAME}'
 GROUP BY 1, 2, 3, 4, 5`;

export const CONNECT_SQL = `SELECT current_setting('max_connections')::int AS max_connections,
       pg_backend_pid() AS pid`;

export function emptyCounts(): StateCounts {
  return {
    total: 0,
    active: 0,
    idle: 0,
    idleInTransaction: 0,
    idleInTransactionAborted: 0,
    other: 0,
    waitingOnLock: 0,
  };
}

function addState(c: StateCounts, state: string, lockWait: boolean, n: number): void {
  c.total += n;
  if (state === 'active') c.active += n;
  else if (state === 'idle') c.idle += n;
  else if (state === 'idle in transaction') c.idleInTransaction += n;
  else if (state === 'idle in transaction (aborted)') c.idleInTransactionAborted += n;
  else c.other += n;
  if (lockWait) c.waitingOnLock += n;
}

function bump(m: Record<string, number>, key: string, n: number): void {
  m[key] = (m[key] ?? 0) + n;
}

/** Rows of PG_ACTIVITY_SQL -> one sample. Throws on a row it does not understand (recorded as a gap). */
export function activitySample(
  rows: Row[],
  opts: { t: number; database: string; maxConnections?: number },
): PgActivitySample {
  const sample: PgActivitySample = {
    t: opts.t,
    kind: 'pg_activity',
    all: emptyCounts(),
    database: { name: opts.database, ...emptyCounts() },
    byUser: {},
    databaseByUser: {},
    byDatabase: {},
    byApplication: {},
  };
  if (opts.maxConnections !== undefined) sample.maxConnections = opts.maxConnections;
  for (const row of rows) {
    const n = num(row.n);
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`unexpected pg_stat_activity count ${JSON.stringify(row.n)}`);
    const datname = str(row.datname);
    const state = str(row.state);
    const lockWait = row.lock_wait === true || row.lock_wait === 't';
    addState(sample.all, state, lockWait, n);
    const user = str(row.usename);
    if (datname === opts.database) {
      addState(sample.database, state, lockWait, n);
      const byUser = sample.databaseByUser ?? {};
      sample.databaseByUser = byUser;
      const counts = byUser[user] ?? emptyCounts();
      byUser[user] = counts;
      addState(counts, state, lockWait, n);
    }
    bump(sample.byUser, user, n);
    bump(sample.byDatabase, datname, n);
    bump(sample.byApplication, str(row.application_name), n);
  }
  return sample;
}

/** pg_stat_activity over a dedicated direct connection; max_connections is read once per connection. */
export class PgActivitySampler {
  readonly kind = 'pg_activity' as const;
  private readonly conn: LazyClient;
  private maxConnections?: number;
  /** PID of this sampler's own backend, so the process sampler can leave it out of PostgreSQL's tree. */
  backendPid?: number;

  constructor(
    endpoint: Endpoint,
    private readonly database: string,
    timeoutMs: number,
  ) {
    this.conn = new LazyClient(endpoint, timeoutMs, async (client) => {
      const res = await client.query(CONNECT_SQL);
      const max = num(res.rows[0]?.max_connections);
      if (Number.isInteger(max)) this.maxConnections = max;
      const pid = num(res.rows[0]?.pid);
      this.backendPid = Number.isInteger(pid) ? pid : undefined;
    });
  }

  async sample(t: number): Promise<PgActivitySample> {
    const rows = await this.conn.query(PG_ACTIVITY_SQL);
    return activitySample(rows, {
      t,
      database: this.database,
      ...(this.maxConnections !== undefined ? { maxConnections: this.maxConnections } : {}),
    });
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}
