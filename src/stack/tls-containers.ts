import path from 'node:path';
import type { MatrixSpec } from '../matrix/schema.js';
import type { OwnedFiles } from './container-owned-files.js';
import type { TlsCerts } from './tls-certs.js';
import { type StackTls, stackTls } from './tls-stack.js';

/** Where the TLS files go inside a container: copied in (never bind-mounted), owned by the server's user. */
const tlsDirIn = (confDir: string) => `${confDir}/tls`;

/** The certificates are made on the host in `<workdir>/tls` and copied into each container that needs them. */
export function containerTls(spec: MatrixSpec, workdir: string, confDir: string): Promise<StackTls> {
  return stackTls(
    spec,
    path.join(workdir, 'tls'),
    undefined,
    (f) => `${tlsDirIn(confDir)}/${path.basename(f)}`,
  );
}

function owned(
  certs: TlsCerts,
  dir: string,
  user: string,
  names: Array<'serverCert' | 'serverKey' | 'caCert'>,
): OwnedFiles {
  return {
    user,
    files: names.map((n) => ({
      content: certs.read(n),
      target: `${dir}/${path.basename(certs.file(n))}`,
      // PostgreSQL refuses a key that its owner's group or others can read.
      mode: n === 'serverKey' ? 0o600 : 0o644,
    })),
  };
}

/** PostgreSQL's certificate and key, owned by `postgres` (the user every supported image runs it as). */
export function postgresTlsFiles(tls: StackTls): { ownedFiles?: OwnedFiles } {
  if (!tls.certs || !tls.paths || Object.keys(tls.postgres).length === 0) return {};
  return {
    ownedFiles: owned(tls.certs, path.posix.dirname(tls.paths.key), 'postgres', ['serverCert', 'serverKey']),
  };
}

/** PgBouncer's certificate, key and the CA (server_tls verify-full), owned by the user it runs as. */
export function pgbouncerTlsFiles(tls: StackTls, user: string): { ownedFiles?: OwnedFiles } {
  if (!tls.certs || !tls.paths) return {};
  return {
    ownedFiles: owned(tls.certs, path.posix.dirname(tls.paths.key), user, [
      'serverCert',
      'serverKey',
      'caCert',
    ]),
  };
}
