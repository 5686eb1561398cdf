import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bench } from '../helpers/cli.js';

/**
 * `bench compare <run> <run>` through the built CLI on runs made from the recorded fixture
 * three-reps (direct, the matrix baseline, and pgbouncer-tx; readonly and readonly-short at 1 and 8
 * clients; 3 reps): the candidate runs are the same records with every TPS multiplied by a factor
 * per config, as if the machine drifted (both configs alike) or pgbouncer-tx changed (it alone).
 */
const fixture = path.resolve(import.meta.dirname, '../fixtures/runs/three-reps');
const tmp = mkdtempSync(path.join(tmpdir(), 'bench-compare-drift-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function candidateRun(name: string, factor: Record<string, number>): string {
  const dir = path.join(tmp, name);
  cpSync(fixture, dir, { recursive: true });
  const keep = Object.keys(factor);
  const lines = readFileSync(path.join(dir, 'cells.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l))
    .filter((c) => keep.includes(c.config))
    .map((c) =>
      c.summary ? { ...c, summary: { ...c.summary, tps: c.summary.tps * (factor[c.config] as number) } } : c,
    );
  writeFileSync(path.join(dir, 'cells.jsonl'), `${lines.map((c) => JSON.stringify(c)).join('\n')}\n`);
  const run = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8'));
  run.runId = name;
  run.effective.configs = run.effective.configs.filter((c: { name: string }) => keep.includes(c.name));
  if (!keep.includes(run.effective.baseline)) delete run.effective.baseline;
  writeFileSync(path.join(dir, 'run.json'), JSON.stringify(run, null, 2));
  return dir;
}

interface Doc {
  control?: string;
  regressions: number;
  inconclusive: number;
  unpaired: number;
  groups: {
    config: string;
    workload: string;
    concurrency: number;
    verdict: string;
    tps: { ratio: number };
    drift: { kind: string };
  }[];
}

async function compare(candidate: string, ...flags: string[]) {
  const r = await bench(['compare', fixture, candidate, '--json', ...flags]);
  return {
    r,
    doc: r.exitCode === 2 ? undefined : (JSON.parse(String(r.stdout)) as Doc),
    err: String(r.stderr),
  };
}

const verdicts = (d: Doc | undefined) =>
  (d?.groups ?? [])
    .filter((g) => g.config === 'pgbouncer-tx')
    .map((g) => `${g.workload}/${g.concurrency}:${g.verdict}`);

describe('bench compare of two runs: drift is cancelled by the control config, or labelled', () => {
  let drift: string;
  let faster: string;
  let slower: string;
  let alone: string;
  beforeAll(() => {
    drift = candidateRun('drift', { direct: 1.2, 'pgbouncer-tx': 1.2 });
    faster = candidateRun('faster', { direct: 1.2, 'pgbouncer-tx': 1.2 * 1.3 });
    slower = candidateRun('slower', { direct: 1.2, 'pgbouncer-tx': 1.2 * 0.7 });
    alone = candidateRun('alone', { 'pgbouncer-tx': 1.2 });
  });

  it('+20% drift on both configs: normalized by direct, nothing faster; exit 0 only with --allow-inconclusive', async () => {
    const { r, doc, err } = await compare(drift);
    expect(doc?.control).toBe('direct');
    // readonly / 1 client carries direct's 32% noise between reps: 3 reps decide nothing there.
    expect(verdicts(doc)).toEqual([
      'readonly/1:inconclusive',
      'readonly/8:no-change',
      'readonly-short/1:no-change',
      'readonly-short/8:no-change',
    ]);
    expect(doc?.groups.filter((g) => g.config === 'direct').every((g) => g.drift.kind === 'control')).toBe(
      true,
    );
    expect(r.exitCode, err).toBe(1);
    expect(err).toContain('1 inconclusive group(s)');
    expect(err).toContain(
      "normalized by the control config direct: each ratio divided by direct's ratio between the runs",
    );
    expect(err).toContain('normalized by the control config `direct`');
    expect(err).toContain('control: the drift (faster, not counted)');
    const allowed = await compare(drift, '--allow-inconclusive');
    expect(allowed.r.exitCode, allowed.err).toBe(0);
  });

  it('+30% on pgbouncer-tx alone under the drift: faster by 1.3, not 1.56', async () => {
    const { r, doc } = await compare(faster, '--allow-inconclusive');
    expect(r.exitCode).toBe(0);
    expect(verdicts(doc)).toEqual([
      'readonly/1:inconclusive',
      'readonly/8:faster',
      'readonly-short/1:faster',
      'readonly-short/8:faster',
    ]);
    for (const g of doc?.groups.filter((x) => x.config === 'pgbouncer-tx') ?? [])
      expect(g.tps.ratio).toBeCloseTo(1.3, 6);
  });

  it('-30% on pgbouncer-tx hidden by the drift (0.84 before normalizing): regressions, exit 1', async () => {
    const { r, doc, err } = await compare(slower, '--allow-inconclusive');
    expect(r.exitCode).toBe(1);
    expect(doc?.regressions).toBe(3);
    expect(err).toContain(
      '3 regression(s): slower beyond the threshold, or failed where the baseline did not (two runs normalized by the control config direct',
    );
  });

  it('no control in the candidate run: "faster" labelled unpaired, exit 1 unless --allow-inconclusive', async () => {
    const { r, doc, err } = await compare(alone);
    expect(doc?.control).toBeUndefined();
    expect(doc?.groups.every((g) => g.drift.kind === 'unpaired')).toBe(true);
    expect(doc?.unpaired).toBe(4);
    expect(verdicts(doc).every((v) => v.endsWith(':faster'))).toBe(true);
    expect(err).toContain('faster (unpaired: drift between runs is not cancelled)');
    expect(err).toContain('no control config: the two runs share no matrix baseline');
    expect(r.exitCode, err).toBe(1);
    expect(err).toContain(
      '4 group(s) unpaired: drift between runs is not cancelled: their faster / slower / no-change could be the drift, so it is not conclusive',
    );
    const allowed = await compare(alone, '--allow-inconclusive');
    expect(allowed.r.exitCode, allowed.err).toBe(0);
    expect(allowed.err).toContain(
      'not conclusive (name a config both runs ran with --control-config, or compare two configs of one run); allowed by --allow-inconclusive',
    );
  });

  it('refuses a control one run lacks, and a control in the paired form: exit 2', async () => {
    const missing = await compare(alone, '--control-config', 'direct');
    expect(missing.r.exitCode).toBe(2);
    expect(missing.err).toMatch(
      /--control-config "direct" has no results in .*alone \(configs: pgbouncer-tx\)/,
    );
    const paired = await bench([
      'compare',
      fixture,
      '--baseline-config',
      'direct',
      '--candidate-config',
      'pgbouncer-tx',
      '--control-config',
      'direct',
    ]);
    expect(paired.exitCode).toBe(2);
    expect(String(paired.stderr)).toContain('--control-config is for two runs');
  });
});
