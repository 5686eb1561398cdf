import { describe, expect, it } from 'vitest';
import {
  applyImageOverrides,
  bareInitScript,
  DEFAULT_IMAGES,
  parseImageFlags,
  postgresImageMode,
} from '../../src/stack/container-images.js';
import { scriptMounts } from '../../src/stack/container-pgbench.js';
import { versionAtLeast } from '../../src/util/version.js';

// Moved from test/integration/testcontainers.test.ts: these start nothing and need no engine.
describe('image selection', () => {
  it('layers defaults < BENCH_IMAGE_* < matrix images < --image overrides', () => {
    expect(applyImageOverrides({}, {}, {})).toEqual(DEFAULT_IMAGES);
    expect(applyImageOverrides({}, {}, { BENCH_IMAGE_POSTGRES: 'env/pg:1' }).postgres).toBe('env/pg:1');
    expect(
      applyImageOverrides({ postgres: 'm/pg:2' }, {}, { BENCH_IMAGE_POSTGRES: 'env/pg:1' }).postgres,
    ).toBe('m/pg:2');
    const all = applyImageOverrides(
      { postgres: 'm/pg:2' },
      { postgres: 'flag/pg:3', pgbench: 'flag/b:3' },
      {},
    );
    expect(all).toEqual({ postgres: 'flag/pg:3', pgbouncer: DEFAULT_IMAGES.pgbouncer, pgbench: 'flag/b:3' });
    expect(() => applyImageOverrides({}, { pgpool: 'x' }, {})).toThrow(/--image: expected a role/);
  });

  it('parses --image role=ref flags, with all= for one image serving every role', () => {
    expect(parseImageFlags(['postgres=a:1', 'pgbench=b:2'])).toEqual({ postgres: 'a:1', pgbench: 'b:2' });
    expect(parseImageFlags(['all=local/pgstack:bookworm'])).toEqual({
      postgres: 'local/pgstack:bookworm',
      pgbouncer: 'local/pgstack:bookworm',
      pgbench: 'local/pgstack:bookworm',
    });
    expect(() => parseImageFlags(['postgres'])).toThrow(/role=image/);
    expect(() => parseImageFlags(['proxy=x'])).toThrow(/role=image/);
  });

  it('drives the official image through its entrypoint and any other image with its own command', () => {
    expect(postgresImageMode(['docker-entrypoint.sh'])).toBe('official');
    expect(postgresImageMode(['/usr/local/bin/docker-entrypoint.sh'])).toBe('official');
    expect(postgresImageMode([])).toBe('bare');
    expect(postgresImageMode(null)).toBe('bare');
    const script = bareInitScript({
      dataDir: '/tmp/pgdata',
      user: 'bench',
      pwfile: '/tmp/bench/pwfile',
      auth: 'scram-sha-256',
      args: ['-c', "application_name=it's"],
    });
    expect(script).toMatch(/^'initdb' '-D' '\/tmp\/pgdata' '-U' 'bench'/);
    expect(script).toContain("'--auth-host=scram-sha-256'");
    expect(script).toContain("&& exec postgres -D '/tmp/pgdata' '-c' 'application_name=it'\\''s'");
  });

  it('compares versions to pick the PgBouncer stop signal', () => {
    expect(versionAtLeast('1.23.0', [1, 23])).toBe(true);
    expect(versionAtLeast('1.24.1', [1, 23])).toBe(true);
    expect(versionAtLeast('2.0', [1, 23])).toBe(true);
    expect(versionAtLeast('1.18.0', [1, 23])).toBe(false);
    expect(versionAtLeast('unknown', [1, 23])).toBe(false);
  });

  it('bind-mounts the custom scripts a pgbench argv names', () => {
    expect(scriptMounts(['-n', '-f', '/m/a.sql@3', '--file=/m/b.sql', '-f', 'rel.sql', '-S'])).toEqual([
      '/m/a.sql',
      '/m/b.sql',
    ]);
  });
});
