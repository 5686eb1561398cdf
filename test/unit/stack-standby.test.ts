import { describe, expect, it } from 'vitest';
import { basebackupArgs, REPLICATION_USER, replicationPgpass, standbySlot } from '../../src/stack/standby.js';

describe('standby slot names', () => {
  it('derives a valid slot name from the config role', () => {
    expect(standbySlot('bench_pgbouncer_tx')).toBe('bench_pgbouncer_tx_standby');
  });

  it('stays within 63 bytes of [a-z0-9_]', () => {
    const slot = standbySlot(`bench_${'X-'.repeat(40)}`);
    expect(slot.length).toBeLessThanOrEqual(63);
    expect(slot).toMatch(/^[a-z0-9_]+_standby$/);
  });
});

describe('pg_basebackup arguments', () => {
  const args = basebackupArgs({ host: '127.0.0.1', port: 25432, dataDir: '/tmp/sb', slot: 's1' });

  it('streams WAL, creates the slot, writes the standby configuration and checkpoints fast', () => {
    expect(args.join(' ')).toBe(
      `-h 127.0.0.1 -p 25432 -U ${REPLICATION_USER} -D /tmp/sb -X stream -C -S s1 -R --checkpoint=fast --no-sync`,
    );
  });
});

describe('the replication password file line', () => {
  it('names host, port, any database and the replication role', () => {
    expect(replicationPgpass('127.0.0.1', 25432, 'pw')).toBe(`127.0.0.1:25432:*:${REPLICATION_USER}:pw\n`);
  });

  it('escapes the separators libpq reads', () => {
    expect(replicationPgpass('h', 1, 'a:b\\c')).toBe(`h:1:*:${REPLICATION_USER}:a\\:b\\\\c\n`);
  });
});
