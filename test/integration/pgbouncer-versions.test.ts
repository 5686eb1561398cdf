import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import type { CellRecord } from '../../src/results/types.js';
import { pingDocker } from '../../src/stack/docker-engine.js';
import { bench, onlyRunDir, readCells, readRunInfo, tempResults } from '../helpers/cli.js';

// The shipped matrices/pgbouncer-versions.yaml, shortened (1 s cells, 1 rep, scale 1, 2 clients,
// readonly) to three of its configs: PgBouncer 1.18 on PostgreSQL 15 (bookworm image), 1.24 on 15
// and 1.24 on 17 (trixie image), prepared through the 1.24 transaction pools. One run, two servers.
if (!process.env.DOCKER_HOST && existsSync('/tmp/dockerd/docker.sock')) {
  process.env.DOCKER_HOST = 'unix:///tmp/dockerd/docker.sock';
}
const engine = await pingDocker();
const required = process.env.BENCH_REQUIRE_DOCKER === '1';

describe.skipIf(!engine.ok && !required)('matrices/pgbouncer-versions.yaml on both images', () => {
  it('records PgBouncer 1.18 and 1.24 and PostgreSQL 15 and 17, prepared with 0 failed transactions', async () => {
    const results = tempResults();
    const r = await bench(
      [
        'run',
        'matrices/pgbouncer-versions.yaml',
        ...['--duration', '1s', '--warmup', '0s', '--reps', '1', '--scale', '1', '--concurrency', '2'],
        ...['--workloads', 'readonly', '--configs', 'pgb118-pg15,pgb124-pg15,pgb124-pg17'],
        ...['--results-dir', results],
      ],
      { timeout: 150_000 },
    );
    expect(r.exitCode, String(r.all)).toBe(0);
    const runDir = onlyRunDir(results);
    const cells = readCells(runDir);
    const by = new Map<string, CellRecord>(cells.map((c) => [c.config, c]));
    expect([...by.keys()].sort()).toEqual([
      'pgb118-pg15-extended',
      'pgb118-pg15-simple',
      'pgb124-pg15-extended',
      'pgb124-pg15-prepared',
      'pgb124-pg15-simple',
      'pgb124-pg17-extended',
      'pgb124-pg17-prepared',
      'pgb124-pg17-simple',
    ]);
    for (const c of cells) {
      expect(c.state, c.id).toBe('completed');
      if (c.state === 'completed') expect(c.summary.failed, c.id).toBe(0);
      const [bouncer, server] = c.config.startsWith('pgb118')
        ? ['1.18', '15']
        : ['1.24', c.config.includes('pg17') ? '17' : '15'];
      expect(c.versions?.pgbouncer, c.id).toMatch(new RegExp(`^${bouncer.replace('.', '\\.')}\\.`));
      expect(c.versions?.postgres, c.id).toMatch(new RegExp(`^${server}\\.`));
      // pgbench's own account of the protocol it used.
      if (c.state === 'completed') expect(c.summary.queryMode, c.id).toBe(c.config.split('-').at(-1));
    }
    const prepared = by.get('pgb124-pg17-prepared');
    expect(prepared?.state === 'completed' && prepared.summary.processed).toBeGreaterThan(0);
    const info = readRunInfo(runDir);
    expect(info.versions['postgres:pgb118-pg15-simple']).toMatch(/^15\./);
    expect(info.versions['postgres:pgb124-pg17-prepared']).toMatch(/^17\./);
    expect(info.versions['pgbouncer:pgb124-pg15-simple']).toMatch(/^1\.24\./);
    // The run's own image's PgBouncer (bookworm, 1.18) only: the configs' own 1.24 images, on
    // either server, whichever started first, are under pgbouncer:<config>.
    expect(info.versions.pgbouncer).toMatch(/^1\.18\.\d+$/);
    // Both servers stopped everything they started, PostgreSQL and poolers.
    const left = await execa('docker', ['ps', '-aq', '--filter', `label=bench.run=${info.runId}`]);
    expect(left.stdout.trim()).toBe('');
  });
});
