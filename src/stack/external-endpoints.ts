import path from 'node:path';
import { type DsnTarget, describeTarget, parseDsn } from '../matrix/dsn.js';
import type { ExternalConfigSpec } from '../matrix/schema.js';
import { registerSecret } from '../util/redact.js';
import { type PasswordSource, resolvePassword } from './pgpass.js';
import type { Endpoint } from './types.js';

/** One endpoint of an external config: where, and where its password came from (never the password). */
export interface ExternalEndpoint {
  /** `dsn`, `admin_dsn` or `postgres_dsn`: the matrix field, for messages. */
  field: 'dsn' | 'admin_dsn' | 'postgres_dsn';
  endpoint: Endpoint;
  /** user@host:port/database */
  name: string;
  passwordSource: PasswordSource;
}

/** What bench knows of one external config: the path pgbench uses, and optional admin and direct access. */
export interface ExternalTargets {
  config: string;
  index: number;
  main: ExternalEndpoint;
  admin?: ExternalEndpoint;
  /** PostgreSQL directly: pg_stat_activity, CHECKPOINT, VACUUM, the isolation count, init. */
  direct?: ExternalEndpoint;
}

function target(c: ExternalConfigSpec): DsnTarget {
  if (c.dsn !== undefined) {
    const r = parseDsn(c.dsn);
    // The matrix validator parsed it already; this is unreachable for a loaded matrix.
    if (!r.ok) throw new Error(`configs "${c.name}".dsn: ${r.error}`);
    return r.target;
  }
  const user = c.user ?? '';
  return { host: c.host ?? '', port: c.port ?? 5432, database: c.database ?? user, user };
}

/** libpq's sslmode for every endpoint of a config (`tls.client`), with the user's CA for verify-full. */
type EndpointTls = Pick<Endpoint, 'sslmode' | 'sslrootcert'>;

/** The config's `tls:` as endpoint fields; `ca_file` is relative to the matrix file. */
export function endpointTls(c: ExternalConfigSpec, matrixDir: string): EndpointTls {
  const mode = c.tls?.client ?? 'disable';
  if (mode === 'disable') return {};
  const ca = c.tls?.ca_file;
  return mode === 'verify-full' && ca !== undefined
    ? { sslmode: mode, sslrootcert: path.resolve(matrixDir, ca) }
    : { sslmode: mode };
}

function endpointOf(
  field: ExternalEndpoint['field'],
  t: DsnTarget,
  envVar: string | undefined,
  tls: EndpointTls,
): ExternalEndpoint {
  const { password, source } = resolvePassword(t, envVar);
  // Hidden wherever it could appear: pgbench's stderr, driver errors, logs.
  registerSecret(password);
  return { field, endpoint: { ...t, password, ...tls }, name: describeTarget(t), passwordSource: source };
}

function optional(
  field: 'admin_dsn' | 'postgres_dsn',
  dsn: string | undefined,
  envVar: string | undefined,
  tls: EndpointTls,
): ExternalEndpoint | undefined {
  if (dsn === undefined) return undefined;
  const r = parseDsn(dsn);
  if (!r.ok) throw new Error(`${field}: ${r.error}`);
  return endpointOf(field, r.target, envVar, tls);
}

/** Every external config's endpoints, passwords resolved from the environment or ~/.pgpass. */
export function externalTargets(
  configs: readonly ExternalConfigSpec[],
  matrixDir: string,
): ExternalTargets[] {
  return configs.map((c, index) => {
    const tls = endpointTls(c, matrixDir);
    const admin = optional('admin_dsn', c.admin_dsn, c.admin_password_env, tls);
    const direct = optional('postgres_dsn', c.postgres_dsn, c.postgres_password_env, tls);
    return {
      config: c.name,
      index,
      main: endpointOf('dsn', target(c), c.password_env, tls),
      ...(admin ? { admin } : {}),
      ...(direct ? { direct } : {}),
    };
  });
}

/**
 * run.json's view of the targets (summarize's method section reads it): endpoint names, where each
 * password came from (never the password), and the local PIDs the matrix named.
 */
export function describeTargets(
  ts: readonly ExternalTargets[],
  pids: ReadonlyMap<string, Record<string, number | undefined>>,
): Record<string, unknown> {
  const one = (e: ExternalEndpoint | undefined) =>
    // `authFrom`, not a key with "password" in it: redactDeep would mask the (harmless) source name.
    e ? { endpoint: e.name, authFrom: e.passwordSource } : undefined;
  return Object.fromEntries(
    ts.map((t) => [
      t.config,
      {
        dsn: one(t.main),
        admin_dsn: one(t.admin),
        postgres_dsn: one(t.direct),
        pids: pids.get(t.config) ?? {},
      },
    ]),
  );
}
