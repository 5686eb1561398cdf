import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { scramVerifier } from '../../src/stack/scram.js';
import { REPLICATION_USER, replicationRoleSql } from '../../src/stack/standby.js';

// RFC 7677 section 3: user "user", password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations.
const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
const authMessage =
  'n=user,r=rOprNGfwEbeRWgbNEkqO,' +
  'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,' +
  'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();

describe('the SCRAM-SHA-256 verifier', () => {
  const v = scramVerifier('pencil', salt);
  const m = /^SCRAM-SHA-256\$4096:([^$]+)\$([^:]+):(.+)$/.exec(v);

  it("has pg_authid's form", () => {
    expect(m?.[1]).toBe('W22ZaJ0SNY7soEsUEjb6gQ==');
  });

  it("signs as the RFC's server does (ServerKey)", () => {
    const serverKey = Buffer.from(m?.[3] ?? '', 'base64');
    expect(hmac(serverKey, authMessage).toString('base64')).toBe(
      '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
    );
  });

  it("accepts the RFC's client proof (StoredKey)", () => {
    const storedKey = Buffer.from(m?.[2] ?? '', 'base64');
    const proof = Buffer.from('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=', 'base64');
    const signature = hmac(storedKey, authMessage);
    const clientKey = Buffer.from(proof.map((b, i) => b ^ (signature[i] ?? 0)));
    expect(createHash('sha256').update(clientKey).digest().equals(storedKey)).toBe(true);
  });

  it('salts each verifier anew by default', () => {
    expect(scramVerifier('pencil')).not.toBe(scramVerifier('pencil'));
  });
});

describe('the replication role statement', () => {
  it('carries a verifier, never the clear password, and no superuser', () => {
    const sql = replicationRoleSql('s3cret-password', false);
    expect(sql).not.toContain('s3cret-password');
    expect(sql).toMatch(
      new RegExp(
        `^CREATE ROLE "${REPLICATION_USER}" LOGIN REPLICATION NOSUPERUSER PASSWORD 'SCRAM-SHA-256\\$4096:`,
      ),
    );
    expect(replicationRoleSql('x', true)).toMatch(/^ALTER ROLE /);
  });
});
