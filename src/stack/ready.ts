import net from 'node:net';
import pg from 'pg';
import type { Endpoint } from './types.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls until a real query succeeds through the endpoint (which proves listen, auth and routing),
 * or throws with the last error. `alive` stops the wait early when the process has died.
 */
export async function waitForQuery(
  ep: Endpoint,
  timeoutMs: number,
  alive: () => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt';
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`process exited before accepting connections (last error: ${last})`);
    const client = new pg.Client({ ...ep, connectionTimeoutMillis: 2000, application_name: 'bench-ready' });
    client.on('error', ignoreIdleError);
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (e) {
      last = (e as Error).message;
      await client.end().catch(() => undefined);
    }
    await sleep(100);
  }
  throw new Error(`not ready after ${timeoutMs} ms (last error: ${last})`);
}

export async function waitForTcp(
  host: string,
  port: number,
  timeoutMs: number,
  alive: () => boolean,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt';
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`process exited before listening on ${host}:${port}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host, port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', (e) => {
        last = e.message;
        resolve(false);
      });
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`nothing listened on ${host}:${port} after ${timeoutMs} ms (last error: ${last})`);
}

/**
 * pg emits 'error' on a client whose socket fails while no query runs (a pooler killed by an event or
 * by its user between our query and `end()`: ECONNRESET). Unheard, that event ends the whole run;
 * a query in flight still rejects with its own error, which the caller handles.
 */
export function ignoreIdleError(): void {}

/** Runs statements on a short-lived connection (init, CHECKPOINT, VACUUM). */
export async function withClient<T>(ep: Endpoint, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ ...ep, application_name: 'bench-admin' });
  client.on('error', ignoreIdleError);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
