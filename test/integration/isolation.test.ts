import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellRecord, RunInfo } from '../../src/results/types.js';
import { bench, onlyRunDir, readCells, readRunInfo, tempResults, writeMatrix } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * A proxy that leaves a server connection behind when it is stopped (a detached psql holding a
 * backend as the proxy config's role, the way a pooler that forked a helper might): the next
 * config's cell must not measure it. The runner waits `isolation_wait`, then fails that cell with a
 * reason naming the role, while the leaky config's own cell counts the backend as its own.
 */
describe('isolation between configs (native provider)', () => {
  let cells: Map<string, CellRecord>;
  let run: RunInfo;
  let exitCode: number | undefined;
  let output: string;
  let pidFile: string;
  beforeAll(async () => {
    const dir = tempDir('bench-isolation-');
    pidFile = path.join(dir, 'leak.pid');
    const matrix = writeMatrix(
      dir,
      'isolation.yaml',
      `
duration: 2s
settle: 0s
scale: 1
reps: 1
auth: trust
concurrency: [2]
config_order: fixed
isolation_wait: 1s
configs:
  - name: leaky
    kind: proxy
    command: ["sh", "{workdir}/leak.sh"]
    files:
      leak.sh:
        text: |
          setsid psql -h {upstream_host} -p {upstream_port} -U {user} -d {database} -Atc "SELECT pg_sleep(120)" >/dev/null 2>&1 &
          echo $! > ${pidFile}
          exec socat TCP-LISTEN:{port},bind={host},reuseaddr,fork TCP:{upstream_host}:{upstream_port}
  - name: direct
    kind: direct
workloads: [readonly]
`,
    );
    const results = tempResults();
    const r = await bench(['run', matrix, '--provider', 'native', '--results-dir', results]);
    exitCode = r.exitCode;
    output = String(r.all);
    const runDir = onlyRunDir(results);
    cells = new Map(readCells(runDir).map((c) => [c.config, c]));
    run = readRunInfo(runDir);
  }, 180_000);

  afterAll(() => {
    // The stack's fast shutdown ended the psql's backend (and so the psql); make sure by PID.
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    if (Number.isInteger(pid) && pid > 1) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  });

  it("runs the leaky config's cell, counting its leftover backend as its own", () => {
    const leaky = cells.get('leaky');
    expect(leaky?.state, output).toBe('completed');
    expect(leaky?.prepared).toContainEqual(
      expect.stringMatching(/^isolation: 0 foreign client backends, [1-9]\d* of this config/),
    );
  });

  it("fails the next config's cell instead of measuring the foreign backend, naming the role", () => {
    const direct = cells.get('direct');
    expect(direct?.state).toBe('failed');
    expect(direct && 'reason' in direct ? direct.reason : '').toMatch(
      /isolation: 1 client backends of other configs were still connected after \d+ ms \(bench_leaky\)/,
    );
    expect(direct?.prepared).toContainEqual(
      expect.stringMatching(
        /^isolation: 1 foreign client backends \(bench_leaky: 1\), 0 of this config, after waiting \d+ ms/,
      ),
    );
    expect(exitCode).toBe(1);
  });

  it('records the config order of each rep in run.json', () => {
    expect(run.order).toEqual({
      mode: 'fixed',
      seed: expect.any(Number),
      reps: { '1': ['leaky', 'direct'] },
    });
  });
});
