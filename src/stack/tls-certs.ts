import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { StackError } from '../errors.js';
import type { TlsKey } from '../matrix/tls.js';
import { registerSecret } from '../util/redact.js';

/** The files of a run's throwaway PKI, by role. Keys are 0600; certificates 0644. */
export const TLS_FILES = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  serverCert: 'server.crt',
  serverKey: 'server.key',
} as const;

/** Days the throwaway certificates are valid: a run, with room for a resumed one. */
const VALID_DAYS = 7;
/** Names a verify-full client may use: the harness connects to 127.0.0.1; localhost for people. */
export const SERVER_SAN = 'IP:127.0.0.1,DNS:localhost';

/** What run.json records of the PKI: parameters, never a key. */
export interface TlsCertFacts {
  key: TlsKey;
  signature: 'sha256';
  validDays: number;
  subjectAltName: string;
  caSubject: string;
  serverSubject: string;
  generator: string;
}

export interface TlsCerts {
  /** Directory on the host (the stack's scratch dir) holding TLS_FILES. */
  dir: string;
  file(name: keyof typeof TLS_FILES): string;
  /** Contents for copying into containers (the server key included: it never reaches results). */
  read(name: keyof typeof TLS_FILES): string;
  facts: TlsCertFacts;
}

/** openssl's -newkey argument(s) for a key type. */
export function newKeyArgs(key: TlsKey): string[] {
  if (key === 'ec-p256') return ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  return ['-newkey', `rsa:${key === 'rsa-3072' ? 3072 : 2048}`];
}

/** The openssl invocations (without the program) that make the CA and the server certificate. */
export function opensslSteps(key: TlsKey, dir: string): string[][] {
  const f = (n: keyof typeof TLS_FILES) => path.join(dir, TLS_FILES[n]);
  const ext = path.join(dir, 'server.ext');
  return [
    ['req', '-x509', '-new', '-nodes', ...newKeyArgs(key), '-sha256', '-days', String(VALID_DAYS)]
      .concat(['-keyout', f('caKey'), '-out', f('caCert'), '-subj', '/CN=bench throwaway CA'])
      .concat([
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ]),
    ['req', '-new', '-nodes', ...newKeyArgs(key), '-keyout', f('serverKey')].concat([
      '-out',
      path.join(dir, 'server.csr'),
      '-subj',
      '/CN=localhost',
    ]),
    ['x509', '-req', '-in', path.join(dir, 'server.csr'), '-CA', f('caCert'), '-CAkey', f('caKey')].concat([
      '-CAcreateserial',
      '-sha256',
      '-days',
      String(VALID_DAYS),
      '-out',
      f('serverCert'),
      '-extfile',
      ext,
    ]),
  ];
}

/**
 * Generates a throwaway CA and a server certificate for 127.0.0.1/localhost with Debian's openssl,
 * in `dir` (inside the stack's scratch directory, mode 0700). Keys are 0600 and owned by `owner`
 * (the unprivileged user PostgreSQL and PgBouncer run as), and registered as secrets so that no
 * log line can carry them.
 */
export async function generateTlsCerts(
  dir: string,
  key: TlsKey,
  owner?: { uid: number; gid: number },
): Promise<TlsCerts> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(
    path.join(dir, 'server.ext'),
    `subjectAltName=${SERVER_SAN}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n`,
  );
  let version = 'openssl';
  try {
    version = (await execa('openssl', ['version'])).stdout.trim();
    for (const args of opensslSteps(key, dir)) await execa('openssl', args, { timeout: 60_000 });
  } catch (e) {
    throw new StackError(
      `could not generate the run's TLS certificates with openssl: ${(e as Error).message}`,
    );
  }
  const file = (n: keyof typeof TLS_FILES) => path.join(dir, TLS_FILES[n]);
  for (const n of ['caKey', 'serverKey'] as const) {
    chmodSync(file(n), 0o600);
    // Line by line: a log line that quoted part of a key is redacted too.
    for (const line of readFileSync(file(n), 'utf8').split('\n'))
      if (!line.startsWith('-----')) registerSecret(line.trim());
  }
  for (const n of ['caCert', 'serverCert'] as const) chmodSync(file(n), 0o644);
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    for (const n of Object.keys(TLS_FILES) as (keyof typeof TLS_FILES)[])
      chownSync(file(n), owner.uid, owner.gid);
  }
  return {
    dir,
    file,
    read: (n) => readFileSync(file(n), 'utf8'),
    facts: {
      key,
      signature: 'sha256',
      validDays: VALID_DAYS,
      subjectAltName: SERVER_SAN,
      caSubject: 'CN=bench throwaway CA',
      serverSubject: 'CN=localhost',
      generator: version,
    },
  };
}
