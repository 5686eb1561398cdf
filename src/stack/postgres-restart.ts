import pg from 'pg';
import { ignoreIdleError } from './ready.js';
import type { Endpoint } from './types.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** When the running postmaster started (pg_postmaster_start_time), or undefined when none answers. */
export async function postmasterStart(ep: Endpoint): Promise<string | undefined> {
  const client = new pg.Client({ ...ep, connectionTimeoutMillis: 2000, application_name: 'bench-admin' });
  client.on('error', ignoreIdleError);
  try {
    await client.connect();
    const r = await client.query<{ t: string }>('SELECT pg_postmaster_start_time()::text AS t');
    return r.rows[0]?.t;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Waits until a postmaster other than the one that started at `before` answers queries: the
 * restarted server, not the old one still shutting down. `alive` ends the wait early (false: the
 * new process died, the caller may start another). Throws after `timeoutMs`.
 */
export async function waitForNewPostmaster(
  ep: Endpoint,
  before: string | undefined,
  timeoutMs: number,
  alive: () => boolean = () => true,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) return false;
    const now = await postmasterStart(ep);
    if (now !== undefined && now !== before) return true;
    await sleep(100);
  }
  throw new Error(`PostgreSQL did not accept connections again within ${timeoutMs} ms`);
}
