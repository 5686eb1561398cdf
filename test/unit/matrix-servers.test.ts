import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMatrix } from '../../src/matrix/load.js';
import { checkServers, serverGroups, serverMatrix } from '../../src/matrix/servers.js';
import { type Server, type Servers, serverVersions, stopServers } from '../../src/runner/servers.js';
import type { Stack } from '../../src/stack/types.js';
import { tempDir } from '../helpers/tmp.js';

const base = `name: servers
concurrency: [2]
workloads: [readonly]
`;

function matrix(configs: string, extra = '') {
  return parseMatrix(`${base}${extra}configs:\n${configs}`, 'm.yaml');
}

const twoImages = `  - { name: a, kind: direct }
  - { name: b, kind: direct, images: { postgres: local/pgstack:trixie } }
  - { name: c, kind: pgbouncer, pool_mode: transaction, images: { postgres: local/pgstack:trixie, pgbouncer: local/pgstack:trixie } }
  - { name: d, kind: pgbouncer, pool_mode: session, images: { pgbouncer: local/pgstack:trixie } }
`;

describe('serverGroups: which PostgreSQL server each config runs against', () => {
  it('groups configs by the image they name, the run default first', () => {
    expect(serverGroups(matrix(twoImages).spec.configs, 'testcontainers')).toEqual([
      { configs: ['a', 'd'] },
      { named: 'local/pgstack:trixie', configs: ['b', 'c'] },
    ]);
  });

  it('reads binaries on the native provider, images on the container one', () => {
    const m = matrix(`  - { name: a, kind: direct, binaries: { postgres: /opt/pg17/bin } }
  - { name: b, kind: direct, images: { postgres: x } }
`);
    expect(serverGroups(m.spec.configs, 'native')).toEqual([
      { configs: ['b'] },
      { named: '/opt/pg17/bin', configs: ['a'] },
    ]);
    expect(serverGroups(m.spec.configs, 'testcontainers')).toEqual([
      { configs: ['a'] },
      { named: 'x', configs: ['b'] },
    ]);
  });

  it('keeps one group, and no run default, when every config names the same server', () => {
    const m = matrix(`  - { name: a, kind: direct, images: { postgres: x } }
  - { name: b, kind: direct, images: { postgres: x } }
`);
    expect(serverGroups(m.spec.configs, 'testcontainers')).toEqual([{ named: 'x', configs: ['a', 'b'] }]);
  });

  it('gives each server the matrix of its configs only', () => {
    const m = matrix(twoImages);
    const [, second] = serverGroups(m.spec.configs, 'testcontainers');
    expect(second).toBeDefined();
    if (second) expect(serverMatrix(m, second).spec.configs.map((c) => c.name)).toEqual(['b', 'c']);
  });

  it('expands axes first: every expansion of a config is on its server', () => {
    const m = matrix(`  - { name: a, kind: direct }
  - { name: t, kind: pgbouncer, pool_mode: transaction, protocol: [simple, extended], images: { postgres: x } }
`);
    expect(serverGroups(m.spec.configs, 'testcontainers')).toEqual([
      { configs: ['a'] },
      { named: 'x', configs: ['t-simple', 't-extended'] },
    ]);
  });
});

describe('serverGroups: one server per server, however it is spelled', () => {
  it("shares the run's server with a config that names the run's own image", () => {
    const m = matrix(`  - { name: a, kind: direct }
  - { name: b, kind: direct, images: { postgres: local/pgstack:bookworm } }
  - { name: c, kind: direct, images: { postgres: local/pgstack:trixie } }
`);
    expect(serverGroups(m.spec.configs, 'testcontainers', 'local/pgstack:bookworm')).toEqual([
      { configs: ['a', 'b'] },
      { named: 'local/pgstack:trixie', configs: ['c'] },
    ]);
  });

  it("one server when the configs name only the run's own image", () => {
    const m = matrix(`  - { name: a, kind: direct }
  - { name: b, kind: direct, images: { postgres: local/pgstack:bookworm } }
`);
    expect(serverGroups(m.spec.configs, 'testcontainers', 'local/pgstack:bookworm')).toEqual([
      { configs: ['a', 'b'] },
    ]);
  });

  it('normalises binary directories: a trailing slash, a symlink, the run default', () => {
    const root = tempDir('bench-servers-');
    const real = path.join(root, 'pg17', 'bin');
    mkdirSync(real, { recursive: true });
    const link = path.join(root, 'link');
    symlinkSync(path.join(root, 'pg17'), link);
    const m = matrix(`  - { name: a, kind: direct, binaries: { postgres: ${real}/ } }
  - { name: b, kind: direct, binaries: { postgres: ${real} } }
  - { name: c, kind: direct, binaries: { postgres: ${link}/bin } }
  - { name: d, kind: direct, binaries: { postgres: /no/such/dir/bin/ } }
  - { name: e, kind: direct, binaries: { postgres: /usr/lib/postgresql/15/bin/ } }
  - { name: f, kind: direct }
`);
    const machine = '/usr/lib/postgresql/15/bin';
    expect(serverGroups(m.spec.configs, 'native', machine)).toEqual([
      { configs: ['e', 'f'] },
      { named: real, configs: ['a', 'b', 'c'] },
      { named: '/no/such/dir/bin', configs: ['d'] },
    ]);
  });
});

function fakeServer(config: string, stop: () => Promise<void>): Server {
  return { configs: [config], stack: { stop } as unknown as Stack };
}

describe('stopServers: every server stops, whatever one does', () => {
  it('stops the others and removes every directory when one stop throws, then throws it', async () => {
    const stopped: string[] = [];
    const dir = tempDir('bench-servers-stop-');
    const s: Servers = {
      list: [
        fakeServer('a', async () => void stopped.push('a')),
        fakeServer('b', async () => {
          throw new Error('b would not stop');
        }),
        fakeServer('c', async () => void stopped.push('c')),
      ],
      dirs: [dir],
    };
    await expect(stopServers(s)).rejects.toThrow('b would not stop');
    expect(stopped).toEqual(['c', 'a']);
    expect(existsSync(dir)).toBe(false);
  });

  it('names every failure when several stops throw', async () => {
    const s: Servers = {
      list: [
        fakeServer('a', async () => {
          throw new Error('a failed');
        }),
        fakeServer('b', async () => {
          throw new Error('b failed');
        }),
      ],
      dirs: [],
    };
    await expect(stopServers(s)).rejects.toThrow(/b failed; a failed/);
  });

  it('resolves when every server stops', async () => {
    await expect(
      stopServers({ list: [fakeServer('a', async () => undefined)], dirs: [] }),
    ).resolves.toBeUndefined();
  });
});

describe('binaries: in the schema', () => {
  it('wants absolute paths', () => {
    expect(() => matrix('  - { name: a, kind: direct, binaries: { postgres: pg/bin } }\n')).toThrow(
      /configs\[0\]\.binaries\.postgres.*absolute path/,
    );
  });

  it('has no pgbouncer on a direct config', () => {
    expect(() =>
      matrix('  - { name: a, kind: direct, binaries: { pgbouncer: /usr/sbin/pgbouncer } }\n'),
    ).toThrow(/configs\[0\]\.binaries/);
  });
});

describe('checkServers: what several servers cannot do', () => {
  it('refuses a fixed postgres.port with several servers, exit 2 naming the field', () => {
    expect(() => checkServers(matrix(twoImages, 'postgres: { port: 25432 }\n'), 'testcontainers')).toThrow(
      /m\.yaml: postgres\.port: expected no fixed port when configs name different PostgreSQL servers \(the run default, local\/pgstack:trixie\)/,
    );
  });

  it('accepts a fixed port with one server', () => {
    expect(() => checkServers(matrix(twoImages, 'postgres: { port: 25432 }\n'), 'native')).not.toThrow();
  });
});

describe('serverVersions: run.json versions of several servers', () => {
  it('is the stack versions with one server', () => {
    expect(serverVersions([{ configs: ['a'], versions: { postgres: '15.18', pgbench: '15.18' } }])).toEqual({
      postgres: '15.18',
      pgbench: '15.18',
    });
  });

  it('names each config’s PostgreSQL and lists the values servers differ on', () => {
    expect(
      serverVersions([
        { configs: ['a'], versions: { postgres: '15.14', pgbench: '15.18', pgbouncer: '1.18.0' } },
        {
          configs: ['b', 'c'],
          versions: { postgres: '17.12', pgbench: '15.18', 'pgbouncer:c': '1.24.1' },
        },
      ]),
    ).toEqual({
      postgres: '15.14, 17.12',
      'postgres:a': '15.14',
      'postgres:b': '17.12',
      'postgres:c': '17.12',
      pgbench: '15.18',
      pgbouncer: '1.18.0',
      'pgbouncer:c': '1.24.1',
    });
  });
});
