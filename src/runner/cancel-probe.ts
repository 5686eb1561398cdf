import pg from 'pg';
import { ignoreIdleError } from '../stack/ready.js';
import type { Endpoint } from '../stack/types.js';
import { CANCEL_CHECK, type Ended, judgeProbe, type ProbeOutcome } from './cancel-outcome.js';
import { CancelRequestError, sendCancelRequest } from './cancel-request.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Cancels the probe's statement on PostgreSQL directly, only while that backend still runs it: in
 * a transaction pool the backend that ran it may already serve a pgbench client, whose query a
 * bare pg_cancel_backend(pid) would cancel (and count against the pooler). The statement's text is
 * unique to the probe (harness PID and probe number), so the text and the state are the guard.
 */
const CANCEL_OWN_STATEMENT_SQL =
  "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query = $1 AND state = 'active'";

/** Whether PostgreSQL shows exactly `sql` running within `waitMs`, polled on the direct connection. */
async function awaitRunning(direct: pg.Client, sql: string, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const r = await direct.query("SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND query = $1", [
      sql,
    ]);
    if (r.rows.length > 0) return true;
    await sleep(20);
  }
  return false;
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

/**
 * Sends the cancel through the pooler's port and waits out the prompt, counted from the moment
 * the request went out, however long the pooler took to close the request's connection.
 */
async function cancelThroughPooler(
  pooler: Endpoint,
  key: { processId: number; secretKey: number },
  ended: Promise<Ended>,
  sentAt: number,
): Promise<ProbeOutcome> {
  const requestError = await sendCancelRequest(pooler.host, pooler.port, key).then(
    () => undefined,
    (e: Error) => e,
  );
  if (requestError instanceof CancelRequestError && !requestError.written)
    return { kind: 'failed', error: requestError.message };
  const left = Math.max(0, sentAt + CANCEL_CHECK.promptMs - Date.now());
  const r = await Promise.race([ended, sleep(left).then(() => undefined)]);
  return judgeProbe(r, sentAt, CANCEL_CHECK.promptMs, requestError?.message);
}

/** Ends the probe's statement if it still runs (guarded), and waits a moment for its error. */
async function endOwnStatement(direct: pg.Client, sql: string, ended: Promise<Ended>): Promise<void> {
  await direct.query(CANCEL_OWN_STATEMENT_SQL, [sql]);
  await Promise.race([ended, sleep(CANCEL_CHECK.promptMs)]);
}

/**
 * One probe: a long statement through the pooler, cancelled through the pooler's port. Whatever
 * happens, the statement is then ended directly (guarded) so it holds no server connection.
 */
export async function probe(pooler: Endpoint, direct: pg.Client, n: number): Promise<ProbeOutcome> {
  // The comment makes the statement unique, so pg_stat_activity names this probe's backend.
  const sql = `SELECT pg_sleep(${CANCEL_CHECK.sleepS}) /* bench cancel check ${process.pid}-${n} */`;
  const client = new pg.Client({ ...pooler, application_name: 'bench-cancel-check' });
  client.on('error', ignoreIdleError);
  let ended: Promise<Ended> | undefined;
  let sentAt: number | undefined;
  try {
    await client.connect();
    const key = backendKey(client);
    ended = client.query(sql).then(
      () => ({ code: 'ok', message: 'the statement finished uncancelled', at: Date.now() }),
      (e: Error & { code?: string }) => ({ code: e.code, message: e.message, at: Date.now() }),
    );
    if (!(await awaitRunning(direct, sql, CANCEL_CHECK.activeWaitMs)))
      return {
        kind: 'failed',
        error: `the statement was not running within ${CANCEL_CHECK.activeWaitMs} ms`,
      };
    sentAt = Date.now();
    return await cancelThroughPooler(pooler, key, ended, sentAt);
  } catch (e) {
    const error = (e as Error).message;
    return sentAt === undefined ? { kind: 'failed', error } : { kind: 'unknown', error };
  } finally {
    if (ended) await endOwnStatement(direct, sql, ended).catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
