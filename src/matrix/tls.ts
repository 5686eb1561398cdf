import { z } from 'zod';

/**
 * TLS on a config's path, as libpq names the client's modes. `client`: pgbench to the first hop
 * (PostgreSQL for direct, PgBouncer for pgbouncer); `server`: PgBouncer to PostgreSQL. `require`
 * encrypts without checking the certificate; `verify-full` also checks it against the run's
 * throwaway CA and the host name (the certificates carry 127.0.0.1 and localhost).
 */
export const TLS_MODES = ['disable', 'require', 'verify-full'] as const;
export type TlsMode = (typeof TLS_MODES)[number];

export const tlsSchema = z.strictObject({
  client: z.enum(TLS_MODES).default('disable'),
  server: z.enum(TLS_MODES).default('disable'),
});
export type ConfigTls = z.infer<typeof tlsSchema>;

/**
 * TLS to a stack bench did not start (`kind: external`): only the client side is bench's to choose,
 * and `verify-full` checks the server's certificate against the user's CA file (`ca_file`, a path
 * relative to the matrix or absolute). It applies to every connection bench makes to the config's
 * endpoints (pgbench, the admin console, PostgreSQL directly).
 */
export const externalTlsSchema = tlsSchema.extend({ ca_file: z.string().min(1).optional() });

/** The run's throwaway key type: RSA 2048 is what most certificates in production still are. */
export const TLS_KEYS = ['rsa-2048', 'rsa-3072', 'ec-p256'] as const;
export type TlsKey = (typeof TLS_KEYS)[number];
export const tlsKeySchema = z.enum(TLS_KEYS).default('rsa-2048');

export const TLS_OFF: ConfigTls = { client: 'disable', server: 'disable' };

interface TlsConfigView {
  kind: 'direct' | 'pgbouncer' | 'proxy' | 'external';
  tls?: (ConfigTls & { ca_file?: string | undefined }) | undefined;
  via_pgbouncer?: unknown;
}

/**
 * What a config's `tls:` may say, by kind: a direct path has no server hop; bench does not set up
 * TLS inside a proxy under test (its listener is the proxy's own business), so a proxy's client
 * side stays off; a proxy's server side is its PgBouncer's, when it has one.
 */
export function tlsIssues(c: TlsConfigView): Array<{ path: string[]; message: string }> {
  const tls = c.tls ?? TLS_OFF;
  const out: Array<{ path: string[]; message: string }> = [];
  if (c.kind === 'direct' && tls.server !== 'disable') {
    out.push({
      path: ['tls', 'server'],
      message:
        'disable on a direct config (it has no server hop: its client side is PostgreSQL itself; use tls.client)',
    });
  }
  if (c.kind === 'proxy' && tls.client !== 'disable') {
    out.push({
      path: ['tls', 'client'],
      message:
        'disable on a proxy config (bench cannot turn on TLS in the proxy under test; configure it in the proxy command and files)',
    });
  }
  if (c.kind === 'proxy' && c.via_pgbouncer === undefined && tls.server !== 'disable') {
    out.push({
      path: ['tls', 'server'],
      message: 'disable on a proxy config without via_pgbouncer (the server side is PgBouncer to PostgreSQL)',
    });
  }
  return [...out, ...externalTlsIssues(c)];
}

function externalTlsIssues(c: TlsConfigView): Array<{ path: string[]; message: string }> {
  if (c.kind !== 'external') return [];
  const tls = c.tls ?? TLS_OFF;
  const out: Array<{ path: string[]; message: string }> = [];
  if (tls.server !== 'disable') {
    out.push({
      path: ['tls', 'server'],
      message:
        "disable on an external config (its server side is the user's pooler: bench does not configure it)",
    });
  }
  if (tls.client === 'verify-full' && c.tls?.ca_file === undefined) {
    out.push({
      path: ['tls', 'ca_file'],
      message: 'the CA file that signed the server certificate, for verify-full on an external config',
    });
  }
  if (tls.client !== 'verify-full' && c.tls?.ca_file !== undefined) {
    out.push({ path: ['tls', 'ca_file'], message: 'no ca_file unless tls.client is verify-full' });
  }
  return out;
}

/** Whether a config puts TLS anywhere on its path. */
export function usesTls(c: { tls?: ConfigTls | undefined }): boolean {
  return (c.tls?.client ?? 'disable') !== 'disable' || (c.tls?.server ?? 'disable') !== 'disable';
}

/**
 * PostgreSQL needs `ssl=on` when some config's client talks TLS to it (direct) or some PgBouncer
 * does (server side). It is a server-wide setting; configs without TLS still connect with
 * sslmode=disable, so it does not change them.
 */
export function postgresNeedsSsl(configs: ReadonlyArray<TlsConfigView>): boolean {
  return configs.some(
    (c) =>
      c.kind !== 'external' &&
      ((c.kind === 'direct' && (c.tls?.client ?? 'disable') !== 'disable') ||
        (c.tls?.server ?? 'disable') !== 'disable'),
  );
}

/** PgBouncer needs certificates when its clients talk TLS to it or it talks TLS to PostgreSQL. */
export function anyTls(configs: ReadonlyArray<TlsConfigView>): boolean {
  return configs.some((c) => c.kind !== 'external' && usesTls(c));
}
