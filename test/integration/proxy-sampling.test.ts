import { beforeAll, describe, expect, it } from 'vitest';
import type { CellRecord } from '../../src/results/types.js';
import { bench, onlyRunDir, readCells, tempResults } from '../helpers/cli.js';

/**
 * matrices/proxy-example.yaml through the CLI at 20 clients: a proxy under test (socat, forking per
 * connection) alone and in front of PgBouncer with a pool of 5, sampled while pgbench runs.
 */
describe('a proxy under test, sampled (native provider)', () => {
  let cells: Map<string, CellRecord>;
  let exitCode: number | undefined;
  let output: string;
  beforeAll(async () => {
    const results = tempResults();
    const r = await bench([
      'run',
      'matrices/proxy-example.yaml',
      '--provider',
      'native',
      '--duration',
      '3s',
      '--concurrency',
      '20',
      '--results-dir',
      results,
    ]);
    exitCode = r.exitCode;
    output = String(r.all);
    cells = new Map(readCells(onlyRunDir(results)).map((c) => [c.config, c]));
  }, 180_000);

  it('completes every cell', () => {
    expect(exitCode, output).toBe(0);
    expect([...cells.values()].map((c) => c.state)).toEqual(['completed', 'completed', 'completed']);
  });

  it('direct at 20 clients holds 20 server backends', () => {
    expect(cells.get('direct')?.sampling?.postgres?.serverBackendsPeak).toBe(20);
  });

  it('through PgBouncer with a pool of 5: at most 5 backends, clients waiting, RSS and CPU for every tier', () => {
    const s = cells.get('socat-pgbouncer')?.sampling;
    expect(s?.postgres?.serverBackendsPeak).toBeGreaterThan(0);
    expect(s?.postgres?.serverBackendsPeak).toBeLessThanOrEqual(5);
    expect(s?.pgbouncer?.clWaitingPeak).toBeGreaterThan(0);
    expect(s?.multiplexing).toBeGreaterThanOrEqual(4);
    for (const key of ['postgres', 'pgbouncer:socat-pgbouncer', 'proxy:socat-pgbouncer']) {
      const c = s?.components[key];
      expect(c?.rssPeakBytes, key).toBeGreaterThan(0);
      expect(c?.cpuCoresMean, key).toBeGreaterThan(0);
    }
    // socat forks a process per client connection: the whole tree is counted.
    expect(s?.components['proxy:socat-pgbouncer']?.processesPeak).toBeGreaterThan(20);
  });
});
