import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { pingDocker } from '../../src/stack/docker-engine.js';
import { bench, onlyRunDir, readCells, readRunInfo, tempResults } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

// Two PgBouncer builds and two PostgreSQL majors in one run: each config names its images
// (testcontainers provider); configs naming another PostgreSQL image run on a server of their own;
// every cell records the versions its PostgreSQL server and PgBouncer processes reported.
if (!process.env.DOCKER_HOST && existsSync('/tmp/dockerd/docker.sock')) {
  process.env.DOCKER_HOST = 'unix:///tmp/dockerd/docker.sock';
}
const engine = await pingDocker();
const required = process.env.BENCH_REQUIRE_DOCKER === '1';
const BOOKWORM = process.env.BENCH_TEST_IMAGE ?? 'local/pgstack:bookworm';
const TRIXIE = 'local/pgstack:trixie';

function matrix(provider: string, bouncer124 = TRIXIE): string {
  const file = path.join(tempDir('bench-config-images-'), 'm.yaml');
  writeFileSync(
    file,
    `name: config-images
provider: ${provider}
duration: 1s
settle: 0s
scale: 1
concurrency: [2]
isolation_wait: 2s
images: { postgres: ${BOOKWORM}, pgbouncer: ${BOOKWORM}, pgbench: ${BOOKWORM} }
workloads: [tpcb]
configs:
  - { name: tx-118, kind: pgbouncer, pool_mode: transaction, default_pool_size: 2 }
  # prepared through a transaction pool: allowed because this config's own PgBouncer is 1.24;
  # on PostgreSQL 17, a server of its own
  - name: tx-124
    kind: pgbouncer
    pool_mode: transaction
    default_pool_size: 2
    protocol: prepared
    images: { postgres: ${TRIXIE}, pgbouncer: ${bouncer124} }
  # the same PostgreSQL 17 server as tx-124
  - { name: direct-17, kind: direct, images: { postgres: ${TRIXIE} } }
`,
  );
  return file;
}

describe.skipIf(!engine.ok && !required)(
  'per-config images: PgBouncer 1.18 and 1.24, PostgreSQL 15 and 17 in one run',
  () => {
    it('runs each config on its own PgBouncer and records the version each cell ran against', async () => {
      const results = tempResults();
      const r = await bench(['run', matrix('testcontainers'), '--results-dir', results], {
        timeout: 120_000,
        env: { BENCH_PGBENCH: 'container' },
      });
      expect(r.exitCode, String(r.all)).toBe(0);
      const runDir = onlyRunDir(results);
      const cells = readCells(runDir);
      const byConfig = Object.fromEntries(cells.map((c) => [c.config, c]));
      expect(byConfig['tx-118']?.versions?.pgbouncer).toMatch(/^1\.18\./);
      expect(byConfig['tx-124']?.versions?.pgbouncer).toMatch(/^1\.24\./);
      for (const c of cells) {
        expect(c.state, c.id).toBe('completed');
        if (c.state === 'completed') expect(c.summary.failed, c.id).toBe(0);
      }
      expect(byConfig['tx-124']?.protocol).toBe('prepared');
      // Each cell's server, as the running server answered SHOW server_version.
      expect(byConfig['tx-118']?.versions?.postgres).toMatch(/^15\./);
      expect(byConfig['tx-124']?.versions?.postgres).toMatch(/^17\./);
      expect(byConfig['direct-17']?.versions?.postgres).toMatch(/^17\./);
      // Two servers, two postmasters: tx-124 and direct-17 share the PostgreSQL 17 one.
      const pid = (config: string) => byConfig[config]?.sampling?.components.postgres?.pid;
      expect(pid('tx-124')).toBeDefined();
      expect(pid('tx-124')).toBe(pid('direct-17'));
      expect(pid('tx-118')).not.toBe(pid('tx-124'));
      expect(byConfig['tx-124']?.sampling?.postgres?.serverBackendsPeak).toBeGreaterThan(0);
      expect(byConfig['tx-124']?.sampling?.postgres?.foreignBackendsPeak).toBe(0);
      const info = readRunInfo(runDir);
      expect(info.versions['pgbouncer:tx-124']).toMatch(/^1\.24\./);
      // The run's own image's PgBouncer, never tx-124's own 1.24.
      expect(info.versions.pgbouncer).toMatch(/^1\.18\.\d+$/);
      expect(info.versions['postgres:tx-118']).toMatch(/^15\./);
      expect(info.versions['postgres:tx-124']).toMatch(/^17\./);
      const servers = (
        info.stack as { servers: Array<{ configs: string[]; images: { postgres: { ref: string } } }> }
      ).servers;
      expect(servers.map((s) => [s.configs, s.images.postgres.ref])).toEqual([
        [['tx-118'], BOOKWORM],
        [['tx-124', 'direct-17'], TRIXIE],
      ]);
      // Each server removed its own containers, and only its own, and nothing of the run is left.
      const left = await execa('docker', ['ps', '-aq', '--filter', `label=bench.run=${info.runId}`]);
      expect(left.stdout.trim()).toBe('');
    });

    it("refuses a second server's image that does not exist, exit 2, before the first server starts", async () => {
      const results = tempResults();
      const missing = 'local/pgstack:no-such-tag';
      const r = await bench(['run', matrix('testcontainers', missing), '--results-dir', results], {
        timeout: 60_000,
      });
      expect(r.exitCode, String(r.all)).toBe(2);
      expect(String(r.stderr)).toContain(`m.yaml: config tx-124: images.pgbouncer: expected an image`);
      expect(String(r.stderr)).toContain(`"${missing}" cannot`);
      // Refused before the run directory is made: no server started, no data loaded, nothing recorded.
      expect(readdirSync(results)).toEqual([]);
      expect(String(r.all)).not.toMatch(/ready on 127\.0\.0\.1|initializing pgbench data/);
    });

    it('refuses per-config images on the native provider, exit 2, before anything starts', async () => {
      const results = tempResults();
      const r = await bench(['run', matrix('native'), '--results-dir', results], { timeout: 30_000 });
      expect(r.exitCode, String(r.all)).toBe(2);
      expect(String(r.stderr)).toContain('config tx-124: images: expected the testcontainers provider');
      expect(readdirSync(results)).toEqual([]);
    });
  },
);
