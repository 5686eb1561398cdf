import path from 'node:path';
import type { MatrixSpec } from '../matrix/schema.js';
import { anyTls, postgresNeedsSsl, TLS_OFF } from '../matrix/tls.js';
import { postgresTlsSettings, type TlsPaths } from './tls.js';
import { generateTlsCerts, type TlsCertFacts, type TlsCerts } from './tls-certs.js';

/** What run.json says about TLS: which configs used it and the certificate parameters (no key). */
export interface TlsRecord {
  configs: Record<string, { client: string; server: string }>;
  postgresSsl: boolean;
  certificates: TlsCertFacts;
  harnessConnections: string;
}

/** A stack's TLS: the certificates (none when no config uses TLS) and PostgreSQL's settings. */
export interface StackTls {
  certs?: TlsCerts;
  /** Paths as the components see them (host paths natively, in-container paths for containers). */
  paths?: TlsPaths;
  /** PostgreSQL settings to add (ssl=on and the files), empty when no config needs them. */
  postgres: Record<string, string | boolean>;
  record?: TlsRecord;
}

export const HARNESS_TLS_NOTE =
  'the harness connections (init, CHECKPOINT, samplers, PgBouncer admin) use sslmode=disable; configs without tls use sslmode=disable too';

/** run.json's tls entry: configs with TLS, whether PostgreSQL had ssl=on, the certificate parameters. */
export function tlsRecord(spec: MatrixSpec, facts: TlsCertFacts): TlsRecord {
  const configs: TlsRecord['configs'] = {};
  for (const c of spec.configs) {
    const t = c.tls ?? TLS_OFF;
    if (t.client !== 'disable' || t.server !== 'disable')
      configs[c.name] = { client: t.client, server: t.server };
  }
  return {
    configs,
    postgresSsl: postgresNeedsSsl(spec.configs),
    certificates: facts,
    harnessConnections: HARNESS_TLS_NOTE,
  };
}

/** TLS for a stack whose components read `inside(<file>)`; certificates are made on the host in `dir`. */
export async function stackTls(
  spec: MatrixSpec,
  dir: string,
  owner: { uid: number; gid: number } | undefined,
  inside: (file: string) => string,
): Promise<StackTls> {
  if (!anyTls(spec.configs)) return { postgres: {} };
  const certs = await generateTlsCerts(dir, spec.tls_key, owner);
  const paths: TlsPaths = {
    cert: inside(certs.file('serverCert')),
    key: inside(certs.file('serverKey')),
    ca: inside(certs.file('caCert')),
  };
  return {
    certs,
    paths,
    postgres: postgresNeedsSsl(spec.configs) ? postgresTlsSettings(paths) : {},
    record: tlsRecord(spec, certs.facts),
  };
}

/** Native processes read the files where they were made: `<workdir>/tls`, owned by the component user. */
export function nativeTls(
  spec: MatrixSpec,
  root: string,
  runAs: { uid: number; gid: number } | undefined,
): Promise<StackTls> {
  return stackTls(spec, path.join(root, 'tls'), runAs, (f) => f);
}
