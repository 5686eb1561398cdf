import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseMatrix } from '../../src/matrix/load.js';
import type { CellRecord, CompletedCell } from '../../src/results/types.js';
import { planCells } from '../../src/runner/plan.js';
import { pingDocker } from '../../src/stack/docker-engine.js';
import {
  bench,
  cellIsRunning,
  readCells,
  readRunInfo,
  runDirIn,
  tempResults,
  waitFor,
} from '../helpers/cli.js';

const IMAGE = process.env.BENCH_TEST_IMAGE ?? 'local/pgstack:bookworm';
const engine = await pingDocker();
// CI sets BENCH_REQUIRE_DOCKER=1: there a missing engine fails these tests instead of skipping them.
const required = process.env.BENCH_REQUIRE_DOCKER === '1';
// pgbench from the image, as on a machine with only Docker: nothing of PostgreSQL on the host is used.
const env = { BENCH_PGBENCH: 'container' };

/** Containers of one run, found by the label every container of the harness carries. */
async function containersOf(runDir: string): Promise<string[]> {
  const r = await execa('docker', [
    'ps',
    '-a',
    '--filter',
    'label=bench.run',
    '--format',
    '{{.ID}} {{.Label "bench.run"}}',
  ]);
  return r.stdout.split('\n').filter((l) => l.includes(path.basename(runDir)));
}

describe.skipIf(!engine.ok && !required)(
  'bench run --provider testcontainers (host network, local images)',
  () => {
    it('has a Docker engine to talk to', () => {
      expect(engine.ok, engine.reason).toBe(true);
    });

    describe('matrices/smoke.yaml', () => {
      let runDir: string;
      let cells: CellRecord[];
      let exitCode: number | undefined;
      let output: string;
      beforeAll(async () => {
        const results = tempResults();
        const r = await bench(
          [
            'run',
            'matrices/smoke.yaml',
            '--provider',
            'testcontainers',
            '--image',
            `all=${IMAGE}`,
            '--duration',
            '2s',
            '--results-dir',
            results,
          ],
          { env },
        );
        exitCode = r.exitCode;
        output = String(r.all);
        runDir = runDirIn(results) ?? '';
        cells = readCells(runDir);
      }, 300_000);

      it('records the same cells as the native provider would, each completed with TPS > 0', () => {
        expect(exitCode, output).toBe(0);
        const m = parseMatrix(readFileSync('matrices/smoke.yaml', 'utf8'), 'matrices/smoke.yaml', {
          duration: '2s',
        });
        const order = readRunInfo(runDir).order;
        if (!order) throw new Error('run.json has no config order');
        // The same cells in the order run.json says the configs were shuffled into.
        expect(cells.map((c) => c.id)).toEqual(planCells(m, order).map((c) => c.id));
        for (const c of cells) {
          expect(c.state, c.id).toBe('completed');
          expect((c as CompletedCell).summary.tps).toBeGreaterThan(0);
          expect((c as CompletedCell).summary.failed).toBe(0);
        }
      });

      it('takes versions from the containers and records the images', () => {
        const info = readRunInfo(runDir);
        expect(info.provider).toBe('testcontainers');
        expect(info.versions.postgres).toMatch(/^15\.\d+/);
        expect(info.versions.pgbouncer).toMatch(/^1\.\d+/);
        expect(info.versions.pgbench).toMatch(/^15\.\d+/);
        expect(JSON.stringify(info.stack)).toContain(IMAGE);
        expect(JSON.stringify(info.stack)).toMatch(/"network":\s*"host"/);
      });

      it('sampled the containers from the host (RSS of postgres and pgbouncer)', () => {
        const c = cells.find((x) => x.config === 'pgbouncer-tx' && x.concurrency === 8);
        expect(c?.sampling?.components.postgres?.rssPeakBytes).toBeGreaterThan(0);
        expect(c?.sampling?.components['pgbouncer:pgbouncer-tx']?.rssPeakBytes).toBeGreaterThan(0);
      });

      it('leaves no container behind', async () => {
        expect(await containersOf(runDir)).toEqual([]);
      });
    });

    it('SIGINT mid-cell stops and removes every container of the run', async () => {
      const results = tempResults();
      const run = bench(
        [
          'run',
          'matrices/smoke.yaml',
          '--provider',
          'testcontainers',
          '--image',
          `all=${IMAGE}`,
          '--duration',
          '6s',
          '--results-dir',
          results,
        ],
        { env },
      );
      const runDir = await waitFor('the run dir', () => runDirIn(results), 60_000);
      // The second cell of the run, whichever config the shuffle put first.
      const m = parseMatrix(readFileSync('matrices/smoke.yaml', 'utf8'), 'matrices/smoke.yaml', {
        duration: '6s',
      });
      // The run directory exists a moment before run.json is renamed into it.
      const order = await waitFor('run.json', () =>
        existsSync(path.join(runDir, 'run.json')) ? readRunInfo(runDir).order : undefined,
      );
      const second = planCells(m, order)[1]?.id ?? '';
      await waitFor('cell 2 mid-run', () => cellIsRunning(runDir, second), 120_000);
      expect((await containersOf(runDir)).length).toBeGreaterThan(0);
      run.kill('SIGINT');
      const r = await run;
      expect(r.exitCode, String(r.all)).toBe(130);
      expect(readCells(runDir).map((c) => c.state)).toEqual(['completed', 'interrupted']);
      expect(await containersOf(runDir)).toEqual([]);
    }, 240_000);
  },
);
