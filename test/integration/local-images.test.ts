import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { pingDocker } from '../../src/stack/docker-engine.js';
import { parseVersion, versionAtLeast } from '../../src/util/version.js';

// The images docker/build-local-images.sh builds, read the way a user would: their labels, and
// what the harness finds on PATH when it runs them (`-u postgres`, host networking).
const engine = await pingDocker();
const required = process.env.BENCH_REQUIRE_DOCKER === '1';
if (!engine.ok && !required) {
  console.warn(`SKIPPED test/integration/local-images.test.ts: no Docker engine answers (${engine.reason})`);
}

async function labels(image: string): Promise<Record<string, string>> {
  const r = await execa('docker', ['image', 'inspect', '-f', '{{json .Config.Labels}}', image], {
    reject: false,
  });
  if (r.exitCode !== 0)
    throw new Error(`image ${image} is missing: build it with docker/build-local-images.sh`);
  return JSON.parse(r.stdout) as Record<string, string>;
}

async function inImage(image: string, script: string): Promise<string> {
  const r = await execa('docker', [
    'run',
    '--rm',
    '--network',
    'host',
    '-u',
    'postgres',
    image,
    'sh',
    '-c',
    script,
  ]);
  return r.stdout.trim();
}

const IMAGES = [
  { image: 'local/pgstack:bookworm', pgMajor: 15, pgbouncer: [1, 18], extra: [] as string[] },
  { image: 'local/pgstack:trixie', pgMajor: 17, pgbouncer: [1, 24], extra: ['pgpool2', 'pgagroal'] },
];

describe.skipIf(!engine.ok && !required)('local images (docker/build-local-images.sh)', () => {
  it('has a Docker engine to talk to', () => {
    expect(engine.ok, engine.reason).toBe(true);
  });

  for (const img of IMAGES) {
    it(`${img.image} is labelled with its Debian package versions`, async () => {
      const l = await labels(img.image);
      const pg = l['bench.postgresql.version'] ?? '';
      const bouncer = l['bench.pgbouncer.version'] ?? '';
      // Debian versions: 17.12-0+deb13u1, 1.24.1-1+deb13u2.
      expect(parseVersion(pg).split('.')[0]).toBe(String(img.pgMajor));
      expect(versionAtLeast(parseVersion(bouncer), img.pgbouncer), bouncer).toBe(true);
      const next = [img.pgbouncer[0] ?? 0, (img.pgbouncer[1] ?? 0) + 1];
      expect(versionAtLeast(parseVersion(bouncer), next), bouncer).toBe(false);
      for (const pkg of img.extra) expect(l[`bench.${pkg}.version`], pkg).toMatch(/^\d+\.\d+/);
      if (img.extra.includes('pgpool2')) expect(l['bench.pgpool2.version']).toMatch(/^4\.6\./);
    });

    it(`${img.image} puts PostgreSQL ${img.pgMajor}'s bin directory on PATH, and the labels tell the truth`, async () => {
      const l = await labels(img.image);
      const out = await inImage(
        img.image,
        'command -v initdb; command -v pgbench; postgres --version; pgbouncer --version | head -n 1',
      );
      const [initdb, pgbench, postgres, pgbouncer] = out.split('\n');
      expect(initdb).toBe(`/usr/lib/postgresql/${img.pgMajor}/bin/initdb`);
      expect(pgbench).toBe(`/usr/lib/postgresql/${img.pgMajor}/bin/pgbench`);
      // `postgres (PostgreSQL) 17.12 (Debian 17.12-0+deb13u1)` and the label `17.12-0+deb13u1`.
      expect(parseVersion(postgres ?? '')).toBe(parseVersion(l['bench.postgresql.version'] ?? ''));
      expect(l['bench.pgbouncer.version']).toContain(parseVersion(pgbouncer ?? ''));
    });
  }
});
