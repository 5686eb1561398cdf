import type { ConfigTls, TlsMode } from '../matrix/tls.js';

/** Where a component finds the run's certificate, key and CA (paths as that component sees them). */
export interface TlsPaths {
  cert: string;
  key: string;
  ca: string;
}

/**
 * PostgreSQL's TLS settings when a config needs it: `ssl=on` with the run's server certificate.
 * The minimum protocol stays PostgreSQL's default (TLSv1.2), so the negotiated version is what
 * client and server agree on, recorded per cell.
 */
export function postgresTlsSettings(p: Pick<TlsPaths, 'cert' | 'key'>): Record<string, string | boolean> {
  return { ssl: true, ssl_cert_file: p.cert, ssl_key_file: p.key };
}

/**
 * pgbouncer.ini lines for a config's TLS. Client side: PgBouncer presents the run's certificate and
 * accepts TLS (`prefer`: pgbench's sslmode=require/verify-full insists on TLS, while the harness's
 * own sampler and admin connections stay plain, so they cost the pooler no handshakes). Server
 * side: PgBouncer connects to PostgreSQL with TLS, checking the certificate for verify-full.
 */
export function pgbouncerTlsSettings(tls: ConfigTls, p: TlsPaths): Record<string, string> {
  const out: Record<string, string> = {};
  if (tls.client !== 'disable') {
    out.client_tls_sslmode = 'prefer';
    out.client_tls_cert_file = p.cert;
    out.client_tls_key_file = p.key;
    // Only client certificates would be checked against it (none are asked for); without it
    // PgBouncer loads the system bundle, which a minimal image does not have ("failed to load CA").
    out.client_tls_ca_file = p.ca;
  }
  if (tls.server !== 'disable') {
    out.server_tls_sslmode = tls.server;
    out.server_tls_ca_file = p.ca;
  }
  return out;
}

/** How pgbench connects: libpq's sslmode, and the run's CA for verify-full. */
export function clientTls(
  mode: TlsMode,
  caFile: string | undefined,
): { sslmode: TlsMode; sslrootcert?: string } {
  return mode === 'verify-full' && caFile !== undefined
    ? { sslmode: mode, sslrootcert: caFile }
    : { sslmode: mode };
}
