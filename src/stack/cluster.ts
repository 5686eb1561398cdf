import { totalmem } from 'node:os';
import type { MatrixSpec } from '../matrix/schema.js';
import type { Endpoint } from '../pgbench/types.js';
import { withClient } from './ready.js';
import { postgresSizing } from './sizing.js';

/**
 * The throwaway PostgreSQL cluster every provider sets up the same way, whatever starts it (a
 * local initdb, an official image's entrypoint, `sh -c` in a bare image).
 */
export const BENCH_DB = 'bench';
/** The harness's superuser: init, CHECKPOINT, samplers, PgBouncer's admin console. */
export const BENCH_USER = 'bench';

type Auth = MatrixSpec['auth'];

/**
 * initdb's cluster options: `auth` (SCRAM by default) on TCP, which every client uses, and trust
 * on the private socket; UTF8 and the C locale so results do not depend on the host's locale;
 * no fsync of a cluster that is thrown away. The official image takes these as POSTGRES_INITDB_ARGS.
 */
export function initdbOptions(auth: Auth): string[] {
  return [`--auth-host=${auth}`, '--auth-local=trust', '-E', 'UTF8', '--locale=C', '--no-sync'];
}

/** initdb's full argument list (without the program): data directory, superuser, password file, options. */
export function initdbArgs(o: { dataDir: string; user: string; pwfile: string; auth: Auth }): string[] {
  return ['-D', o.dataDir, '-U', o.user, `--pwfile=${o.pwfile}`, ...initdbOptions(o.auth)];
}

/**
 * The server settings of a run: listen on 127.0.0.1 only, at `port`, with room for the matrix's
 * clients and pools; a matrix's `postgres.settings` come last and win. `socketDir` where the
 * provider chooses the socket directory (a bare image's default one may not exist).
 */
export function postgresSettings(
  spec: Pick<MatrixSpec, 'concurrency' | 'configs' | 'postgres'>,
  port: number,
  socketDir?: string,
): Record<string, string | number | boolean> {
  return {
    listen_addresses: '127.0.0.1',
    port,
    ...(socketDir === undefined ? {} : { unix_socket_directories: socketDir }),
    max_connections: postgresSizing(spec, totalmem()).sized,
    ...spec.postgres.settings,
  };
}

/** `-c key=value` pairs, booleans as on/off, as postgres takes them. */
export function postgresSettingArgs(settings: Record<string, string | number | boolean>): string[] {
  return Object.entries(settings).flatMap(([k, v]) => [
    '-c',
    `${k}=${typeof v === 'boolean' ? (v ? 'on' : 'off') : v}`,
  ]);
}

/**
 * Once the server answers: the bench database (an official image made it from POSTGRES_DB, a
 * fresh initdb has only `postgres`), the server's own version (not an image tag's), and the
 * superuser's SCRAM verifier for PgBouncer's auth_file. `endpoint` is the superuser on `postgres`.
 */
export function prepareCluster(endpoint: Endpoint): Promise<{ version: string; secret: string }> {
  return withClient(endpoint, async (c) => {
    const v = await c.query<{ server_version: string }>('SHOW server_version');
    const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [BENCH_DB]);
    if (exists.rowCount === 0) await c.query(`CREATE DATABASE ${BENCH_DB}`);
    const r = await c.query<{ rolpassword: string | null }>(
      'SELECT rolpassword FROM pg_authid WHERE rolname = $1',
      [BENCH_USER],
    );
    return { version: v.rows[0]?.server_version ?? 'unknown', secret: r.rows[0]?.rolpassword ?? '' };
  });
}
