import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { summarize } from '../../src/commands/summarize.js';
import type { CellRecord, CompletedCell } from '../../src/results/types.js';
import { pingDocker } from '../../src/stack/docker-engine.js';
import {
  bench,
  onlyRunDir,
  processesMentioning,
  readCells,
  readRunInfo,
  tempResults,
} from '../helpers/cli.js';

/**
 * matrices/pgagroal-example.yaml through the CLI on the container provider: a third real pooler,
 * pgagroal 1.6 from local/pgstack:trixie, as a `kind: proxy` configured by two files (`files:`),
 * next to direct and PgBouncer 1.24 in one run. Skipped without a Docker engine or without the
 * image, unless BENCH_REQUIRE_DOCKER=1 (CI), in which case it fails.
 */
if (!process.env.DOCKER_HOST && existsSync('/tmp/dockerd/docker.sock')) {
  process.env.DOCKER_HOST = 'unix:///tmp/dockerd/docker.sock';
}
const IMAGE = 'local/pgstack:trixie';
const engine = await pingDocker();
const hasImage =
  engine.ok && (await execa('docker', ['image', 'inspect', IMAGE], { reject: false })).exitCode === 0;
const required = process.env.BENCH_REQUIRE_DOCKER === '1';

/** A setting of the shipped template, so the bound below follows the file. */
function templateSetting(name: string): number {
  const conf = readFileSync('matrices/pgagroal/pgagroal.conf', 'utf8');
  const m = new RegExp(`^${name}\\s*=\\s*(\\d+)`, 'm').exec(conf);
  if (!m?.[1]) throw new Error(`matrices/pgagroal/pgagroal.conf sets no ${name}`);
  return Number(m[1]);
}

describe.skipIf(!hasImage && !required)('bench run matrices/pgagroal-example.yaml (containers)', () => {
  let runDir: string;
  let cells: CellRecord[];
  let output: string;
  let exitCode: number | undefined;

  beforeAll(async () => {
    if (!hasImage)
      throw new Error(`BENCH_REQUIRE_DOCKER=1 but ${IMAGE} is not there (docker/build-local-images.sh)`);
    const results = tempResults();
    // Two reps of readonly (not tpcb too): 12 cells of 2 s, and pgagroal started twice on its
    // fixed port, once per rep.
    const r = await bench(
      [
        'run',
        'matrices/pgagroal-example.yaml',
        '--duration',
        '2s',
        '--reps',
        '2',
        '--workloads',
        'readonly',
      ].concat(['--results-dir', results]),
      {
        env: { TESTCONTAINERS_HOST_OVERRIDE: '127.0.0.1', TESTCONTAINERS_RYUK_DISABLED: 'true' },
        timeout: 150_000,
      },
    );
    output = String(r.all);
    exitCode = r.exitCode;
    runDir = onlyRunDir(results);
    cells = readCells(runDir);
  }, 180_000);

  const cellsOf = (config: string) => cells.filter((c) => c.config === config);
  const peak = (c: CellRecord) => c.sampling?.postgres?.serverBackendsPeak;

  it('exits 0 with every cell completed: 3 configs x 2 concurrencies x 2 reps, no failure', () => {
    expect(exitCode, output).toBe(0);
    expect(cells).toHaveLength(12);
    for (const c of cells) {
      expect(c.state, `${c.id}: ${c.state === 'completed' ? '' : c.reason}`).toBe('completed');
      const done = c as CompletedCell;
      expect(done.summary.tps, c.id).toBeGreaterThan(0);
      expect(done.summary.failed, c.id).toBe(0);
      expect(done.connectionErrors, c.id).toBe(0);
    }
  });

  it("pgagroal logs in as the client's role and holds at most its max_connections backends", () => {
    const bound = templateSetting('max_connections');
    expect(cellsOf('pgagroal')).toHaveLength(4);
    for (const c of cellsOf('pgagroal')) {
      // The samplers count only the config's role: a peak above 0 means pgagroal's server
      // connections log in as the client's user (bench_pgagroal), not as a user of its own.
      expect(c.sampling?.postgres?.role, c.id).toBe('bench_pgagroal');
      expect(peak(c), c.id).toBeGreaterThanOrEqual(c.concurrency);
      expect(peak(c), c.id).toBeLessThanOrEqual(bound);
      // Its own processes (one per client connection) are sampled as the proxy.
      expect(c.sampling?.components?.['proxy:pgagroal']?.pssPeakBytes, c.id).toBeGreaterThan(0);
    }
  });

  it('isolation holds: no cell saw backends of another config, direct and PgBouncer stay in their bounds', () => {
    for (const c of cells) {
      const line = c.prepared?.find((p) => p.startsWith('isolation:'));
      expect(line, c.id).toMatch(/^isolation: 0 foreign client backends/);
    }
    for (const c of cellsOf('direct')) expect(peak(c), c.id).toBeLessThanOrEqual(c.concurrency);
    for (const c of cellsOf('pgbouncer-tx')) expect(peak(c), c.id).toBeLessThanOrEqual(20);
    expect(cellsOf('pgbouncer-tx')[0]?.versions?.pgbouncer).toMatch(/^1\.24\./);
    expect(readRunInfo(runDir).versions.postgres).toMatch(/^17\./);
  });

  it("FINDINGS.md's TL;DR numbers equal those in summary.json", async () => {
    const res = await summarize({ dirs: [runDir] });
    const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
    const md = readFileSync(path.join(runDir, 'FINDINGS.md'), 'utf8');
    const at = (pointer: string) =>
      pointer
        .split('/')
        .slice(1)
        .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], summary);
    expect(res.tldr.length).toBeGreaterThan(0);
    for (const s of res.tldr) {
      expect(md).toContain(s.text);
      for (const n of s.numbers) {
        expect(at(n.pointer), `${s.text}: ${n.pointer}`).toBe(n.value);
        expect(s.text).toContain(n.text);
      }
    }
  });

  it('leaves nothing running: no container of the run, no bench process', async () => {
    const label = `bench.run=${readRunInfo(runDir).runId}`;
    const left = await execa('docker', ['ps', '-aq', '--filter', `label=${label}`]);
    expect(left.stdout.trim()).toBe('');
    expect(processesMentioning(path.basename(runDir))).toEqual([]);
  });
});
