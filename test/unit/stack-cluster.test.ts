import { describe, expect, it } from 'vitest';
import { initdbArgs, initdbOptions, postgresSettingArgs, postgresSettings } from '../../src/stack/cluster.js';
import { bareInitScript } from '../../src/stack/container-images.js';
import { parseVersion, versionAtLeast } from '../../src/util/version.js';

const spec = (settings: Record<string, string | number | boolean> = {}) => ({
  concurrency: [1, 50],
  configs: [
    { kind: 'direct' as const, name: 'direct' },
    {
      kind: 'pgbouncer' as const,
      name: 'tx',
      pool_mode: 'transaction' as const,
      default_pool_size: 200,
      reserve_pool_size: 10,
      settings: {},
    },
  ],
  postgres: { settings },
});

describe('the PostgreSQL cluster every provider sets up', () => {
  it('passes initdb the same options in all three places (local, official image, bare image)', () => {
    expect(initdbOptions('scram-sha-256')).toEqual([
      '--auth-host=scram-sha-256',
      '--auth-local=trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    expect(initdbOptions('trust')[0]).toBe('--auth-host=trust');
    const args = initdbArgs({ dataDir: '/d', user: 'bench', pwfile: '/p', auth: 'trust' });
    expect(args.slice(0, 5)).toEqual(['-D', '/d', '-U', 'bench', '--pwfile=/p']);
    expect(args.slice(5)).toEqual(initdbOptions('trust'));
    const script = bareInitScript({ dataDir: '/d', user: 'bench', pwfile: '/p', auth: 'trust', args: [] });
    expect(script.split(' && ')[0]).toBe(['initdb', ...args].map((a) => `'${a}'`).join(' '));
  });

  it('listens on loopback with room for the clients and the largest pool; matrix settings win', () => {
    const s = postgresSettings(spec(), 5433);
    expect(s).toEqual({ listen_addresses: '127.0.0.1', port: 5433, max_connections: 230 });
    expect(postgresSettings(spec(), 5433, '/tmp').unix_socket_directories).toBe('/tmp');
    const over = postgresSettings(spec({ max_connections: 500, listen_addresses: '*' }), 1);
    expect(over.max_connections).toBe(500);
    expect(over.listen_addresses).toBe('*');
  });

  it('renders -c key=value with booleans as on/off', () => {
    expect(postgresSettingArgs({ port: 5433, fsync: false, jit: true, work_mem: '4MB' })).toEqual([
      '-c',
      'port=5433',
      '-c',
      'fsync=off',
      '-c',
      'jit=on',
      '-c',
      'work_mem=4MB',
    ]);
  });
});

describe('version parsing', () => {
  it('reads the version from the first line of what a tool or server prints', () => {
    expect(parseVersion('postgres (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n')).toBe('15.18');
    expect(parseVersion('PgBouncer 1.18.0\nlibevent 2.1.12-stable\nadns: c-ares 1.18.1\n')).toBe('1.18.0');
    expect(parseVersion('pgbench (PostgreSQL) 17.2 (Debian 17.2-1.pgdg120+1)')).toBe('17.2');
    expect(parseVersion('17.2 (Debian 17.2-1.pgdg120+1)')).toBe('17.2');
    // Only the first line counts: a version on a later line is some library's.
    expect(parseVersion('something odd \nlibevent 2.1.12')).toBe('something odd');
    expect(parseVersion('')).toBe('');
  });

  it('compares dotted versions, an unparsable one being too old', () => {
    expect(versionAtLeast(parseVersion('PgBouncer 1.23.1'), [1, 23])).toBe(true);
    expect(versionAtLeast(parseVersion('PgBouncer 1.18.0'), [1, 23])).toBe(false);
    expect(versionAtLeast('unknown', [1, 23])).toBe(false);
  });
});
