import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

/** PostgreSQL's default (scram_iterations, src/include/common/scram-common.h). */
const SCRAM_ITERATIONS = 4096;

const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();

/**
 * A SCRAM-SHA-256 verifier in pg_authid's form (`SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>`,
 * RFC 5802 / 7677), computed here so that CREATE ROLE ... PASSWORD carries the verifier, never the
 * clear password: the server stores a string already in this form as it is. The password must be
 * ASCII without control characters (a generated base64url one), for which SASLprep is the identity.
 * Pure given `salt` (16 random bytes by default, as PostgreSQL uses).
 */
export function scramVerifier(
  password: string,
  salt: Buffer = randomBytes(16),
  iterations = SCRAM_ITERATIONS,
): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const storedKey = createHash('sha256').update(hmac(salted, 'Client Key')).digest();
  const serverKey = hmac(salted, 'Server Key');
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
