import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compare } from '../../src/commands/compare.js';
import { summarize } from '../../src/commands/summarize.js';
import type { CostCellRecord } from '../../src/results/cost-types.js';
import { costFigure } from '../../summarize/figures/cost/figure.js';
import { loadCost } from '../../summarize/input/cost.js';
import { costConfig } from '../helpers/cost-records.js';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/runs');
const tmp = mkdtempSync(path.join(tmpdir(), 'bench-cost-summary-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const jsonl = (recs: CostCellRecord[]) => `${recs.map((r) => JSON.stringify(r)).join('\n')}\n`;

/** A recorded throughput run with hand-made cost cells beside it. */
function runWithCost(name: string, recs: CostCellRecord[]): string {
  const dir = path.join(tmp, name);
  cpSync(path.join(fixtures, 'three-reps'), dir, { recursive: true });
  writeFileSync(path.join(dir, 'cost.jsonl'), jsonl(recs));
  return dir;
}

/** A cost-only run: run.json and cost.jsonl, no cells.jsonl. */
function costOnly(name: string, recs: CostCellRecord[]): string {
  const dir = path.join(tmp, name);
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(fixtures, 'three-reps/run.json'), path.join(dir, 'run.json'));
  writeFileSync(path.join(dir, 'cost.jsonl'), jsonl(recs));
  return dir;
}

function resolve(doc: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc);
}

const pgb = costConfig({
  config: 'pgbouncer-tx',
  component: 'pgbouncer',
  instructionsPerTx: 4774,
  syscallsPerTx: 5,
  functions: [{ fn: 'sbuf_process_pending', perTx: 900 }],
});

describe('summarize with cost cells', () => {
  it('writes the cost rows in their own section of summary.json and never into the throughput rows', async () => {
    const dir = runWithCost('with-cost', pgb);
    const res = await summarize({ dirs: [dir], out: path.join(tmp, 'out1') });
    const doc = JSON.parse(readFileSync(path.join(tmp, 'out1/summary.json'), 'utf8'));
    expect(doc.rows).toHaveLength(8);
    expect(JSON.stringify(doc.rows)).not.toContain('instructions_per_tx');
    expect(doc.cost.rows).toHaveLength(1);
    expect(doc.cost.rows[0].instructions_per_tx).toBeCloseTo(4774, 6);
    expect(doc.cost.rows[0].syscalls_per_tx).toBeCloseTo(5, 6);
    expect(doc.cost.rows[0].instructions_per_tx_spread_pct).toBeCloseTo(0, 6);
    expect(doc.cost.method).toMatch(/user-space instructions/);
    const cost = res.tldr.filter((s) => s.kind === 'cost');
    expect(cost).toHaveLength(1);
    for (const n of cost[0]?.numbers ?? []) expect(resolve(doc, n.pointer)).toBe(n.value);
  });

  it('adds row_kind and the cost columns to summary.csv only when there are cost rows', async () => {
    await summarize({ dirs: [runWithCost('csv', pgb)], out: path.join(tmp, 'out2') });
    const lines = readFileSync(path.join(tmp, 'out2/summary.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toMatch(/^row_kind,config,/);
    expect(lines[0]).toContain('instructions_per_tx,instructions_per_tx_spread_pct,syscalls_per_tx');
    expect(lines.filter((l) => l.startsWith('throughput,'))).toHaveLength(8);
    expect(lines.filter((l) => l.startsWith('cost,pgbouncer-tx,'))).toHaveLength(1);
    await summarize({ dirs: [path.join(fixtures, 'three-reps')], out: path.join(tmp, 'out3') });
    expect(readFileSync(path.join(tmp, 'out3/summary.csv'), 'utf8')).not.toContain('row_kind');
  });

  it('puts the table, the top functions and the method in FINDINGS.md and report.html', async () => {
    const stripped = pgb.map((r) => ({
      ...r,
      components: r.components.map((c) => ({
        ...c,
        ...(c.symbolized !== undefined ? { symbolized: false } : {}),
      })),
    }));
    await summarize({ dirs: [costOnly('findings', pgb)], out: path.join(tmp, 'out4') });
    const md = readFileSync(path.join(tmp, 'out4/FINDINGS.md'), 'utf8');
    expect(md).toContain('## Cost per transaction (cost cells)');
    expect(md).toMatch(
      /\| pgbouncer-tx \| readonly \| pgbouncer \| 3 \| 4,774 \(0\.000%\) \| 5\.000 \(0\.000%\) \|/,
    );
    expect(md).toContain('| `sbuf_process_pending` | – | 900.0 |');
    expect(md).toMatch(/Not counted: time spent waiting, lock contention, the work of the other components/);
    expect(md).not.toContain('no cells recorded');
    const html = readFileSync(path.join(tmp, 'out4/report.html'), 'utf8');
    expect(html).toContain('<section id="cost">');
    expect(html).toContain('sbuf_process_pending');
    await summarize({ dirs: [costOnly('stripped', stripped)], out: path.join(tmp, 'out5') });
    expect(readFileSync(path.join(tmp, 'out5/FINDINGS.md'), 'utf8')).toContain('no symbols');
  });

  it('leaves the TL;DR without a cost sentence when the repeats disagree beyond the threshold', async () => {
    const noisy = costConfig({ config: 'p', instructionsPerTx: 14_165, jitter: [0, 0.015, -0.005] });
    const res = await summarize({ dirs: [costOnly('noisy', noisy)], out: path.join(tmp, 'out6') });
    expect(res.tldr.filter((s) => s.kind === 'cost')).toHaveLength(0);
  });

  it('fails a cost gate of the matrix', async () => {
    const dir = costOnly('gated', pgb);
    const run = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8'));
    run.effective.gates = { ...run.effective.gates, max_instructions_per_tx: 4000 };
    writeFileSync(path.join(dir, 'run.json'), JSON.stringify(run));
    const res = await summarize({ dirs: [dir], out: path.join(tmp, 'out7') });
    expect(res.gates.failures.map((f) => f.gate)).toEqual(['max_instructions_per_tx']);
  });
});

describe('compare with cost cells', () => {
  const dir = costOnly('compare', [
    ...costConfig({ config: 'A', instructionsPerTx: 321 }),
    ...costConfig({ config: 'A2', instructionsPerTx: 321 }),
    ...costConfig({ config: 'B', instructionsPerTx: 325 }),
  ]);
  it('compares two configs of a cost-only run: A/A no change, +1.2 % slower', async () => {
    const aa = await compare({ baseline: dir, baselineConfig: 'A', candidateConfig: 'A2' });
    expect(aa.result.cost?.regressions).toBe(0);
    expect(aa.result.cost?.inconclusive).toBe(0);
    const ab = await compare({ baseline: dir, baselineConfig: 'A', candidateConfig: 'B' });
    expect(ab.result.cost?.regressions).toBe(1);
    expect(ab.markdown).toContain('🔴 slower');
  });
  it('a higher --cost-threshold lets the +1.2 % through', async () => {
    const ab = await compare({
      baseline: dir,
      baselineConfig: 'A',
      candidateConfig: 'B',
      costThreshold: 0.02,
    });
    expect(ab.result.cost?.regressions).toBe(0);
  });
  it('names the configs when one has neither throughput nor cost results', async () => {
    await expect(compare({ baseline: dir, baselineConfig: 'A', candidateConfig: 'Z' })).rejects.toThrow(
      /"Z" has no results .*configs: A, A2, B/,
    );
  });
});

describe('the cost figure’s tables', () => {
  it('point at the exact values in summary.json', async () => {
    const dir = costOnly('pointers', pgb);
    await summarize({ dirs: [dir], out: path.join(tmp, 'out8') });
    const doc = JSON.parse(readFileSync(path.join(tmp, 'out8/summary.json'), 'utf8'));
    const cost = loadCost([dir]).rows;
    const ctx = { rows: [], options: { warnings: [], cost } };
    let checked = 0;
    for (const t of costFigure.tables) {
      const rows = t.select ? t.select(cost, ctx) : cost;
      for (const c of t.columns(rows as never, ctx))
        for (const r of rows) {
          const p = c.pointer?.(r as never);
          if (!p) continue;
          expect(resolve(doc, p), p).toBe(c.value?.(r as never));
          checked++;
        }
    }
    expect(checked).toBeGreaterThan(5);
  });
});
