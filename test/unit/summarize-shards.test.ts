import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summarize } from '../../src/commands/summarize.js';
import { ConfigurationError } from '../../src/errors.js';
import { parseMatrix } from '../../src/matrix/load.js';
import type { RunInfo } from '../../src/results/types.js';
import { planShard } from '../../src/runner/shard.js';
import { loadSummary } from '../../summarize/input/load.js';
import { expandRunDirs } from '../../summarize/input/run-dirs.js';
import { plannedCells, shardCoverage } from '../../summarize/input/shards.js';
import { bench } from '../helpers/cli.js';

/**
 * The recorded three-rep run (2 configs x readonly/readonly-short x 1/8 clients x 3 reps) cut into
 * shards the way `bench run --shard i/N` records them: each shard's run.json names its groups, its
 * cells.jsonl holds only their cells.
 */
const fixture = path.resolve(import.meta.dirname, '../fixtures/runs/three-reps');
const tmp = mkdtempSync(path.join(tmpdir(), 'bench-shards-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const GROUPS: Record<number, string[]> = {
  1: ['readonly c1', 'readonly-short c1'],
  2: ['readonly c8', 'readonly-short c8'],
};

function shardDir(index: number, count = 2, into = tmp, edit: (r: RunInfo) => void = () => {}): string {
  const dir = path.join(into, `shard-${index}-of-${count}`, `run-${index}`);
  mkdirSync(path.dirname(dir), { recursive: true });
  cpSync(fixture, dir, { recursive: true });
  const groups = GROUPS[index] ?? [];
  const lines = readFileSync(path.join(fixture, 'cells.jsonl'), 'utf8').trim().split('\n');
  const mine = lines.filter((l) => {
    const c = JSON.parse(l) as { workload: string; concurrency: number };
    return groups.includes(`${c.workload} c${c.concurrency}`);
  });
  writeFileSync(path.join(dir, 'cells.jsonl'), `${mine.join('\n')}\n`);
  const run = JSON.parse(readFileSync(path.join(fixture, 'run.json'), 'utf8')) as RunInfo;
  run.runId = `run-${index}`;
  run.cellsPlanned = mine.length;
  run.order = { mode: 'shuffle', seed: 7, reps: {} };
  run.shard = { index, count, groups, seedFrom: 'derived' };
  edit(run);
  writeFileSync(path.join(dir, 'run.json'), JSON.stringify(run));
  return dir;
}

const one = shardDir(1);
const two = shardDir(2);

describe('summarizing shards', () => {
  it('gives the same rows as the unsharded run, and no missing shard', () => {
    const whole = loadSummary([fixture]);
    const merged = loadSummary([one, two]);
    expect(merged.shards).toMatchObject({ count: 2, present: [1, 2], missing: [] });
    const key = (r: { config: string; workload: string; concurrency: number }) =>
      `${r.config}/${r.workload}/${r.concurrency}`;
    expect(merged.rows.map(key).sort()).toEqual(whole.rows.map(key).sort());
    for (const r of merged.rows) expect(r.tps.mean).toBe(whole.rows.find((w) => key(w) === key(r))?.tps.mean);
    expect(merged.warnings.filter((w) => w.kind === 'missing-shards')).toEqual([]);
    expect(plannedCells(merged.merged.runs.map((r) => r.run))).toBe(24);
  });

  it('finds the run directories below a directory of downloaded artifacts', () => {
    expect(expandRunDirs([tmp]).map((d) => path.basename(d))).toEqual(['run-1', 'run-2']);
    expect(loadSummary([tmp]).shards?.missing).toEqual([]);
  });

  it('names a missing shard and its groups in the warnings and FINDINGS.md', async () => {
    const s = await summarize({ dirs: [one], out: path.join(tmp, '..', `${path.basename(tmp)}-out`) });
    expect(s.missingShards).toEqual(['2/2']);
    const w = s.warnings.find((x) => x.kind === 'missing-shards');
    expect(w?.message).toMatch(/missing shard 2\/2 \(their groups: readonly c8, readonly-short c8\)/);
    const findings = readFileSync(path.join(s.outDir, 'FINDINGS.md'), 'utf8');
    expect(findings).toContain('missing shard 2/2');
    rmSync(s.outDir, { recursive: true, force: true });
  });

  it('exits 1 from the CLI when a shard is missing (after writing the summary)', async () => {
    const out = path.join(tmp, '..', `${path.basename(tmp)}-cli`);
    const r = await bench(['summarize', one, '--out', out, '--quiet']);
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toContain('missing shard(s) 2/2');
    expect(readFileSync(path.join(out, 'FINDINGS.md'), 'utf8')).toContain('missing shard 2/2');
    rmSync(out, { recursive: true, force: true });
  });

  it('refuses shards of another count or seed unless --allow-mixed', () => {
    const other = mkdtempSync(path.join(tmpdir(), 'bench-shards-x-'));
    try {
      const three = shardDir(2, 3, other);
      expect(() => loadSummary([one, three])).toThrow(ConfigurationError);
      expect(() => loadSummary([one, three])).toThrow(/shard count 2 vs 3/);
      const seeded = shardDir(2, 2, other, (r) => {
        r.order = { mode: 'shuffle', seed: 8, reps: {} };
      });
      expect(() => loadSummary([one, seeded])).toThrow(/config-order seed 7 vs 8/);
      expect(loadSummary([one, seeded], { allowMixed: true }).shards?.missing).toEqual([]);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('names exactly the groups a missing shard would have run: profiles, rate lists, per-config concurrency', () => {
    const m = parseMatrix(
      `
duration: 2s
reps: 2
concurrency: [1, 8]
configs:
  - { name: a, kind: direct, concurrency: [1, 64] }
  - { name: b, kind: pgbouncer }
workloads:
  - readonly
  - { name: web, builtin: readonly, profile: { shape: constant, rate: 100, duration: 30s, segment: 10s } }
  - { name: knee, builtin: readonly, rate: [100, 200] }
`,
      'variants.yaml',
    );
    // What run.json holds: the spec as JSON (durations in ms) and the shard's recorded groups.
    const run = (index: number, count: number) =>
      ({
        effective: JSON.parse(JSON.stringify({ ...m.spec, overrides: {} })) as RunInfo['effective'],
        shard: planShard(m, { index, count }, {}).info,
      }) as RunInfo;
    for (const count of [2, 3, 5]) {
      const c = shardCoverage([run(1, count)]);
      const expected = Array.from(
        { length: count - 1 },
        (_, i) => planShard(m, { index: i + 2, count }, {}).info.groups,
      );
      expect(c?.missing).toEqual(Array.from({ length: count - 1 }, (_, i) => i + 2));
      expect([...(c?.missingGroups ?? [])].sort()).toEqual(expected.flat().sort());
      // With the first shard's, every group of the matrix: 4 workload units x 3 client counts.
      expect([...(c?.missingGroups ?? []), ...(run(1, count).shard?.groups ?? [])].sort()).toEqual(
        ['readonly', 'web', 'knee.r100', 'knee.r200']
          .flatMap((w) => [1, 8, 64].map((n) => `${w} c${n}`))
          .sort(),
      );
    }
    expect(shardCoverage([run(1, 2), run(2, 2)])?.missingGroups).toEqual([]);
  });

  it('names no group when the matrix in run.json cannot be read back', () => {
    const r = JSON.parse(readFileSync(path.join(one, 'run.json'), 'utf8')) as RunInfo;
    delete r.effective.settle;
    expect(shardCoverage([r])).toMatchObject({ missing: [2], missingGroups: [] });
  });

  it('reports coverage only for sharded runs', () => {
    expect(shardCoverage([])).toBeUndefined();
  });
});
