import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellRecord } from '../../src/results/types.js';
import { bench, onlyRunDir, readCells, tempResults, writeMatrix } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The configs of matrices/proxy-example.yaml through the CLI at 20 clients: a proxy under test
 * (socat, forking per connection) alone and in front of PgBouncer with a pool of 5, sampled while
 * pgbench runs. Each transaction holds its server connection for 2 ms, so 20 clients contend for 5
 * connections at every sample, however fast the machine (with plain -S through socat they rarely
 * overlapped at the sampled instants).
 */
describe('a proxy under test, sampled (native provider)', () => {
  let cells: Map<string, CellRecord>;
  let exitCode: number | undefined;
  let output: string;
  beforeAll(async () => {
    const dir = tempDir('bench-proxy-');
    writeMatrix(dir, 'hold.sql', 'SELECT pg_sleep(0.002);\n');
    const example = readFileSync('matrices/proxy-example.yaml', 'utf8').replace(
      /workloads:\n {2}- readonly\n/,
      'workloads:\n  - { name: hold-2ms, script: hold.sql }\n',
    );
    expect(example).toContain('hold-2ms');
    const matrix = writeMatrix(dir, 'proxy.yaml', example);
    const results = tempResults();
    const r = await bench([
      'run',
      matrix,
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
