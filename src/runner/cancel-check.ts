import pg from 'pg';
import type { CancelCheckRecord } from '../results/types.js';
import { ignoreIdleError } from '../stack/ready.js';
import type { Endpoint } from '../stack/types.js';
import { sendCancelRequest } from './cancel-request.js';

/**
 * The cancel check (`cancel_check: true`, docs/workers.md): while the cell's pgbench runs, a second
 * client opens a connection through the pooler, starts `SELECT pg_sleep(...)`, waits until
 * PostgreSQL shows that statement running, and sends a CancelRequest on a new connection to the
 * pooler's port, as libpq does. With several so_reuseport workers the kernel may give that
 * connection to another worker than the client's: unpeered, that worker does not know the key
 * and the query runs on. One probe at a time, one after the other, until the cell ends.
 */
export const CANCEL_CHECK = {
  /** How long the probe's statement would sleep if never cancelled, s. */
  sleepS: 5,
  /** A cancel lands when the statement ends with SQLSTATE 57014 within this long, ms. */
  promptMs: 1000,
  /** How long the probe waits for PostgreSQL to show its statement running, ms. */
  activeWaitMs: 3000,
  /** Pause between probes, ms. */
  pauseMs: 100,
} as const;

/** "canceling statement due to user request". */
const QUERY_CANCELED = '57014';

export type ProbeOutcome =
  | { kind: 'landed'; ms: number }
  | { kind: 'missed' }
  | { kind: 'failed'; error: string };

/** The cell's record of its probes. Pure. */
export function tallyProbes(outcomes: readonly ProbeOutcome[], promptMs: number): CancelCheckRecord {
  const ms = outcomes.flatMap((o) => (o.kind === 'landed' ? [o.ms] : [])).sort((a, b) => a - b);
  const errors = [...new Set(outcomes.flatMap((o) => (o.kind === 'failed' ? [o.error] : [])))].slice(0, 3);
  return {
    probes: outcomes.length,
    landed: ms.length,
    missed: outcomes.filter((o) => o.kind === 'missed').length,
    failed: outcomes.filter((o) => o.kind === 'failed').length,
    promptMs,
    ...(ms.length > 0
      ? { landedMs: { median: ms[Math.floor((ms.length - 1) / 2)] as number, max: ms.at(-1) as number } }
      : {}),
    ...(errors.length > 0 ? { errors } : {}),
  };
}

/** How a probe's statement ended, or undefined when it had not ended within `ms`. */
type Ended =
  | { code: string | undefined; message: string; at: number }
  | { code: 'ok'; message: string; at: number };

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The backend running exactly `sql`, polled on the harness's direct connection. */
async function runningBackend(direct: pg.Client, sql: string, waitMs: number): Promise<number | undefined> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const r = await direct.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query = $1",
      [sql],
    );
    if (r.rows[0]) return r.rows[0].pid;
    await sleep(20);
  }
  return undefined;
}

/**
 * The BackendKeyData the pooler sent this client: node-postgres keeps it as `processID` and
 * `secretKey` (what its own cancel uses) without declaring them in its types.
 */
function backendKey(client: pg.Client): { processId: number; secretKey: number } {
  const k = client as unknown as { processID?: unknown; secretKey?: unknown };
  if (typeof k.processID !== 'number' || typeof k.secretKey !== 'number')
    throw new Error('the pooler sent no backend key data');
  return { processId: k.processID, secretKey: k.secretKey };
}

/** One probe: a long statement through the pooler, cancelled through the pooler's port. */
async function probe(pooler: Endpoint, direct: pg.Client, n: number): Promise<ProbeOutcome> {
  // The comment makes the statement unique, so pg_stat_activity names this probe's backend.
  const sql = `SELECT pg_sleep(${CANCEL_CHECK.sleepS}) /* bench cancel check ${process.pid}-${n} */`;
  const client = new pg.Client({ ...pooler, application_name: 'bench-cancel-check' });
  client.on('error', ignoreIdleError);
  try {
    await client.connect();
    const key = backendKey(client);
    const ended: Promise<Ended> = client.query(sql).then(
      () => ({ code: 'ok', message: 'the statement finished uncancelled', at: Date.now() }),
      (e: Error & { code?: string }) => ({ code: e.code, message: e.message, at: Date.now() }),
    );
    const backend = await runningBackend(direct, sql, CANCEL_CHECK.activeWaitMs);
    if (backend === undefined) {
      return {
        kind: 'failed',
        error: `the statement was not running within ${CANCEL_CHECK.activeWaitMs} ms`,
      };
    }
    const sent = Date.now();
    await sendCancelRequest(pooler.host, pooler.port, key);
    // The prompt counts from the request, however long the pooler took to close its connection.
    const left = Math.max(0, sent + CANCEL_CHECK.promptMs - Date.now());
    const r = await Promise.race([ended, sleep(left).then(() => undefined)]);
    if (r === undefined) {
      // Not cancelled through the pooler: end it directly so it does not hold a server connection.
      await direct.query('SELECT pg_cancel_backend($1)', [backend]);
      await ended;
      return { kind: 'missed' };
    }
    return r.code === QUERY_CANCELED
      ? { kind: 'landed', ms: r.at - sent }
      : { kind: 'failed', error: r.message };
  } catch (e) {
    return { kind: 'failed', error: (e as Error).message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface CancelCheckSession {
  stop(): Promise<CancelCheckRecord>;
}

/**
 * Starts probing `pooler` (the config's endpoint, as its role) with `postgres` (the harness's
 * direct connection, to see and clean up the probes' backends); `stop()` lets the probe in flight
 * finish and returns the tally.
 */
export function startCancelCheck(pooler: Endpoint, postgres: Endpoint): CancelCheckSession {
  const outcomes: ProbeOutcome[] = [];
  let stopping = false;
  const direct = new pg.Client({ ...postgres, application_name: 'bench-cancel-check-admin' });
  direct.on('error', ignoreIdleError);
  const loop = (async () => {
    try {
      await direct.connect();
    } catch (e) {
      outcomes.push({ kind: 'failed', error: `the direct connection failed: ${(e as Error).message}` });
      return;
    }
    for (let n = 1; !stopping; n++) {
      outcomes.push(await probe(pooler, direct, n));
      await sleep(CANCEL_CHECK.pauseMs);
    }
  })();
  return {
    async stop() {
      stopping = true;
      await loop;
      await direct.end().catch(() => undefined);
      return tallyProbes(outcomes, CANCEL_CHECK.promptMs);
    },
  };
}
