import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellRecord, RunInfo } from '../../src/results/types.js';
import { dockerSocket, pingDocker } from '../../src/stack/docker-engine.js';
import { readCells, readRunInfo } from '../helpers/cli.js';

// bench from its own image (docker/build-bench-image.sh), driving the engine it is given through
// the mounted socket with the Testcontainers provider, exactly as docker/README.md says to run it.
const BENCH_IMAGE = process.env.BENCH_TOOL_IMAGE ?? 'local/bench:trixie';
const STACK_IMAGE = process.env.BENCH_TEST_IMAGE ?? 'local/pgstack:bookworm';
const engine = await pingDocker();
const required = process.env.BENCH_REQUIRE_DOCKER === '1';
if (!engine.ok && !required) {
  console.warn(`SKIPPED test/integration/bench-image.test.ts: no Docker engine answers (${engine.reason})`);
}

describe.skipIf(!engine.ok && !required)(`${BENCH_IMAGE}: bench run inside its own image`, () => {
  let results: string;
  let exitCode: number | undefined;
  let output: string;
  let cells: CellRecord[];
  let info: RunInfo;

  beforeAll(async () => {
    expect(engine.ok, engine.reason).toBe(true);
    const has = await execa('docker', ['image', 'inspect', BENCH_IMAGE], { reject: false });
    if (has.exitCode !== 0)
      throw new Error(`${BENCH_IMAGE} is missing: build it with docker/build-local-images.sh`);
    const socket = dockerSocket() ?? '/var/run/docker.sock';
    results = mkdtempSync(path.join(os.tmpdir(), 'bench-image-results-'));
    const r = await execa(
      'docker',
      [
        'run',
        '--rm',
        '--network',
        'host',
        // The samplers read the components' /proc entries (host PIDs) and their smaps_rollup.
        '--pid',
        'host',
        '--cap-add',
        'SYS_PTRACE',
        '-v',
        `${socket}:/var/run/docker.sock`,
        '-e',
        'TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1',
        '-e',
        'TESTCONTAINERS_RYUK_DISABLED=true',
        '-v',
        `${results}:/opt/bench/results`,
        BENCH_IMAGE,
        'bench',
        'run',
        'matrices/smoke.yaml',
        '--provider',
        'testcontainers',
        '--image',
        `all=${STACK_IMAGE}`,
        '--duration',
        '1s',
        '--concurrency',
        '1',
        '--workloads',
        'readonly',
      ],
      { reject: false, all: true, timeout: 180_000 },
    );
    exitCode = r.exitCode;
    output = String(r.all);
    const dirs = readdirSync(results);
    if (dirs.length !== 1 || dirs[0] === undefined)
      throw new Error(`expected one run dir, got [${dirs}]\n${output}`);
    cells = readCells(path.join(results, dirs[0]));
    info = readRunInfo(path.join(results, dirs[0]));
  }, 200_000);

  afterAll(() => {
    // Written by root in the container; this test runs as root too (as CI does).
    if (results) rmSync(results, { recursive: true, force: true });
  });

  it('exits 0 and records one completed cell per config of the smoke matrix', () => {
    expect(exitCode, output).toBe(0);
    expect(cells.map((c) => `${c.config}/${c.workload}/c${c.concurrency}/${c.state}`).sort()).toEqual([
      'direct/readonly/c1/completed',
      'pgbouncer-tx/readonly/c1/completed',
    ]);
    for (const c of cells) {
      if (c.state !== 'completed') continue;
      expect(c.summary.tps, c.id).toBeGreaterThan(0);
      expect(c.summary.failed ?? 0, c.id).toBe(0);
    }
  });

  it('ran against the stack image it was pointed at, and sampled it', () => {
    expect(info.provider).toBe('testcontainers');
    // local/pgstack:bookworm: PostgreSQL 15 and PgBouncer 1.18, not the bench image's own 17.
    expect(info.versions.postgres ?? '').toMatch(/^15\./);
    expect(info.versions.pgbouncer ?? '').toMatch(/^1\.18\./);
    const direct = cells.find((c) => c.config === 'direct');
    expect(direct?.sampling, 'sampling summary').toBeDefined();
  });
});
