import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pingDocker } from '../../src/stack/docker-engine.js';
import { bench, onlyRunDir, readCells, readRunInfo, tempResults } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

// Two PgBouncer builds in one run: each config names its image (testcontainers provider), and every
// cell records the version its PgBouncer process reported.
if (!process.env.DOCKER_HOST && existsSync('/tmp/dockerd/docker.sock')) {
  process.env.DOCKER_HOST = 'unix:///tmp/dockerd/docker.sock';
}
const engine = await pingDocker();
const required = process.env.BENCH_REQUIRE_DOCKER === '1';
const BOOKWORM = process.env.BENCH_TEST_IMAGE ?? 'local/pgstack:bookworm';
const TRIXIE = 'local/pgstack:trixie';

function matrix(provider: string): string {
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
  # prepared through a transaction pool: allowed because this config's own PgBouncer is 1.24
  - name: tx-124
    kind: pgbouncer
    pool_mode: transaction
    default_pool_size: 2
    protocol: prepared
    images: { pgbouncer: ${TRIXIE} }
`,
  );
  return file;
}

describe.skipIf(!engine.ok && !required)('per-config images: PgBouncer 1.18 and 1.24 in one run', () => {
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
    const info = readRunInfo(runDir);
    expect(info.versions['pgbouncer:tx-124']).toMatch(/^1\.24\./);
  });

  it('refuses per-config images on the native provider, exit 2, before anything starts', async () => {
    const results = tempResults();
    const r = await bench(['run', matrix('native'), '--results-dir', results], { timeout: 30_000 });
    expect(r.exitCode, String(r.all)).toBe(2);
    expect(String(r.stderr)).toContain('config tx-124: images: expected the testcontainers provider');
    expect(readdirSync(results)).toEqual([]);
  });
});
