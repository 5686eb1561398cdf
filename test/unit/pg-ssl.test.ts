import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodePgSsl } from '../../src/util/pg-ssl.js';
import { tempDir } from '../helpers/tmp.js';

describe('nodePgSsl: libpq sslmode for node-postgres', () => {
  it('is plain unless asked, encrypts without checks for require, verifies against the CA for verify-full', () => {
    expect(nodePgSsl({})).toBe(false);
    expect(nodePgSsl({ sslmode: 'disable' })).toBe(false);
    expect(nodePgSsl({ sslmode: 'require' })).toEqual({ rejectUnauthorized: false });
    const ca = path.join(tempDir('pgssl-'), 'ca.crt');
    writeFileSync(ca, 'CA PEM');
    expect(nodePgSsl({ sslmode: 'verify-full', sslrootcert: ca })).toEqual({
      ca: 'CA PEM',
      rejectUnauthorized: true,
    });
    expect(() => nodePgSsl({ sslmode: 'verify-full' })).toThrow(/CA file/);
  });
});
