import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { binaryVersion, locateTool } from '../../src/stack/binaries.js';
import { pingDocker } from '../../src/stack/docker-engine.js';
import { versionAtLeast } from '../../src/util/version.js';
import { bench, onlyRunDir, readCells, readRunInfo, tempResults } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

// `-M prepared` through a PgBouncer transaction pool: refused before anything starts on a PgBouncer
// older than 1.21 (Debian 12's 1.18, natively), run with max_prepared_statements on 1.24 (trixie).
if (!process.env.DOCKER_HOST && existsSync('/tmp/dockerd/docker.sock')) {
  process.env.DOCKER_HOST = 'unix:///tmp/dockerd/docker.sock';
}

function matrix(extra: string): string {
  const dir = tempDir('bench-prepared-');
  const file = path.join(dir, 'prepared.yaml');
  writeFileSync(
    file,
    `name: prepared
duration: 1s
settle: 0s
scale: 1
concurrency: [2]
isolation_wait: 2s
workloads: [tpcb]
configs:
  - { name: direct, kind: direct }
  - { name: tx, kind: pgbouncer, pool_mode: transaction, default_pool_size: 1, protocol: [simple, prepared] }
${extra}
`,
  );
  return file;
}

const pgbouncer = locateTool('pgbouncer');
const nativeVersion = pgbouncer ? await binaryVersion(pgbouncer) : undefined;
const oldNative = nativeVersion !== undefined && !versionAtLeast(nativeVersion, [1, 21]);

describe.skipIf(!oldNative)(
  `native PgBouncer ${nativeVersion ?? '(none)'}: prepared through a transaction pool`,
  () => {
    it('is refused with exit 2 before anything starts, naming the version found and the one needed', async () => {
      const results = tempResults();
      const t0 = Date.now();
      const r = await bench(['run', matrix('provider: native'), '--results-dir', results], {
        timeout: 30_000,
      });
      expect(r.exitCode, String(r.all)).toBe(2);
      expect(String(r.stderr)).toContain(
        `configs tx-prepared: protocol prepared through a transaction or statement pool needs PgBouncer >= 1.21 (max_prepared_statements); found PgBouncer ${nativeVersion} (${pgbouncer})`,
      );
      // Nothing started, nothing recorded: no run directory, no PostgreSQL started (that takes seconds).
      expect(readdirSync(results)).toEqual([]);
      expect(String(r.all)).not.toMatch(/postgres .* ready/);
      expect(Date.now() - t0).toBeLessThan(15_000);
    });
  },
);

const engine = await pingDocker();
const required = process.env.BENCH_REQUIRE_DOCKER === '1';
const TRIXIE = 'local/pgstack:trixie';
const BOOKWORM = process.env.BENCH_TEST_IMAGE ?? 'local/pgstack:bookworm';

describe.skipIf(!engine.ok && !required)('containers: prepared through PgBouncer 1.18 and 1.24', () => {
  it('refuses it on the bookworm image (PgBouncer 1.18), exit 2, asked from the image', async () => {
    const results = tempResults();
    const r = await bench(
      ['run', matrix('provider: testcontainers'), '--image', `all=${BOOKWORM}`, '--results-dir', results],
      { timeout: 60_000 },
    );
    expect(r.exitCode, String(r.all)).toBe(2);
    expect(String(r.stderr)).toContain(`found PgBouncer 1.18.0 (image ${BOOKWORM})`);
    expect(readdirSync(results)).toEqual([]);
  });

  it('runs it on the trixie image (PgBouncer 1.24) with max_prepared_statements and 0 failed transactions', async () => {
    const results = tempResults();
    const r = await bench(
      ['run', matrix('provider: testcontainers'), '--image', `all=${TRIXIE}`, '--results-dir', results],
      { timeout: 120_000, env: { BENCH_PGBENCH: 'container' } },
    );
    expect(r.exitCode, String(r.all)).toBe(0);
    const runDir = onlyRunDir(results);
    const cells = readCells(runDir);
    expect(cells.map((c) => `${c.config}:${c.protocol}:${c.state}`).sort()).toEqual([
      'direct:simple:completed',
      'tx-prepared:prepared:completed',
      'tx-simple:simple:completed',
    ]);
    const prepared = cells.find((c) => c.config === 'tx-prepared');
    expect(prepared?.argv.join(' ')).toContain('-M prepared');
    if (prepared?.state !== 'completed') throw new Error('tx-prepared did not complete');
    expect(prepared.summary.processed).toBeGreaterThan(0);
    expect(prepared.summary.failed).toBe(0);
    const info = readRunInfo(runDir);
    expect(info.versions.pgbouncer).toMatch(/^1\.24\./);
    const tx = info.effective.configs.find((c) => c.name === 'tx-prepared') as {
      settings?: Record<string, unknown>;
    };
    expect(tx.settings?.max_prepared_statements).toBe(100);
  });
});
