import pg from 'pg';
import type { Endpoint } from '../stack/types.js';
import { nodePgSsl } from '../util/pg-ssl.js';

export const SAMPLER_APPLICATION_NAME = 'bench-sampler';

export type Row = Record<string, unknown>;

/**
 * One dedicated connection that a sampler keeps for the whole cell. It connects lazily, at most once
 * per call, and drops itself on any failure so the next tick starts clean; it never retries within
 * a tick, so a dead server costs one connect attempt per interval.
 *
 * Queries have no parameters, so node-postgres sends them with the simple query protocol, the only
 * one PgBouncer's admin console speaks.
 */
export class LazyClient {
  private client?: pg.Client;
  private connecting?: Promise<pg.Client>;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly timeoutMs: number,
    private readonly afterConnect?: (client: pg.Client) => Promise<void>,
  ) {}

  async query(sql: string): Promise<Row[]> {
    const client = this.client ?? (await this.connect());
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`query timed out after ${this.timeoutMs} ms`)),
          this.timeoutMs,
        );
      });
      const res = await Promise.race([client.query(sql), timeout]);
      return res.rows as Row[];
    } catch (err) {
      this.drop(client);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private async connect(): Promise<pg.Client> {
    this.connecting ??= (async () => {
      const { host, port, user, password, database } = this.endpoint;
      const client = new pg.Client({
        host,
        port,
        user,
        password,
        database,
        application_name: SAMPLER_APPLICATION_NAME,
        // Explicit (the endpoint's own sslmode, plain by default), so PGSSLMODE in the environment
        // cannot turn TLS on against a loopback server (PgBouncer's client_tls_sslmode defaults to disable).
        ssl: nodePgSsl(this.endpoint),
        connectionTimeoutMillis: this.timeoutMs,
        keepAlive: true,
      });
      // An idle connection that dies emits 'error'; without a listener that would crash the process.
      client.on('error', () => this.drop(client));
      try {
        await client.connect();
        if (this.afterConnect) await this.afterConnect(client);
      } catch (err) {
        this.drop(client);
        throw err;
      }
      this.client = client;
      return client;
    })();
    try {
      return await this.connecting;
    } finally {
      this.connecting = undefined;
    }
  }

  private drop(client: pg.Client): void {
    if (this.client === client) this.client = undefined;
    client.end().catch(() => {});
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    // end() waits for the server to close; a hung server must not hang stop().
    await Promise.race([client.end().catch(() => {}), new Promise((r) => setTimeout(r, 1000).unref())]);
  }
}

/** node-postgres returns int8 and numeric as strings; PgBouncer's SHOW columns are int8. */
export function num(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    if (Number.isFinite(n)) return n;
  }
  return Number.NaN;
}

export function str(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}
