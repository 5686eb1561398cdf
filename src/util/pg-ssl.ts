import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';

/** libpq's sslmode as bench uses it, and the CA file verify-full checks against. */
interface SslChoice {
  sslmode?: 'disable' | 'require' | 'verify-full' | undefined;
  sslrootcert?: string | undefined;
}

/**
 * node-postgres' `ssl` option for an endpoint, with libpq's meaning: `require` encrypts without
 * checking the certificate, `verify-full` checks it against the CA file and the host name. Always
 * explicit, so a PGSSLMODE in the environment cannot turn TLS on or off behind bench's back.
 */
export function nodePgSsl(ep: SslChoice): false | ConnectionOptions {
  if (ep.sslmode === undefined || ep.sslmode === 'disable') return false;
  if (ep.sslmode === 'require') return { rejectUnauthorized: false };
  if (ep.sslrootcert === undefined) throw new Error('verify-full needs a CA file (sslrootcert)');
  return { ca: readFileSync(ep.sslrootcert, 'utf8'), rejectUnauthorized: true };
}
