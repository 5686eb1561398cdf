import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summarize } from '../../src/commands/summarize.js';
import { memoryRule } from '../../summarize/figures/resources/tldr.js';
import { saturationRule } from '../../summarize/figures/throughput/tldr.js';
import { loadSummary } from '../../summarize/input/load.js';
import { attachPssSlopes, slope } from '../../summarize/model/memory-slope.js';
import type { Row } from '../../summarize/model/row.js';
import type { NumberRef } from '../../summarize/reporters/findings/findings.js';
import { isolationSentences, reproduceDir, tldr } from '../../summarize/reporters/findings/findings.js';
import { ruleContext } from '../../summarize/tldr/index.js';
import { tempDir } from '../helpers/tmp.js';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/runs');
const tmp = tempDir('bench-findings-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Resolves an RFC 6901 JSON pointer. */
function resolve(doc: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc);
}

/** The printed text, read back as a number, matches the value to the precision printed. */
function expectTextMatches(n: NumberRef) {
  const digits = n.text.replace(/[,%]/g, '');
  const printed = Number(digits);
  const decimals = digits.includes('.') ? (digits.split('.')[1]?.length ?? 0) : 0;
  expect(Math.abs(printed - n.value * (n.scale ?? 1))).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 1e-9);
}

describe('FINDINGS.md numbers come from summary.json', () => {
  for (const run of ['three-reps', 'failed-cell']) {
    it(`${run}: every TL;DR number equals the figure at its pointer in summary.json`, async () => {
      const out = path.join(tmp, run);
      const res = await summarize({ dirs: [path.join(fixtures, run)], out });
      const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
      const md = readFileSync(path.join(out, 'FINDINGS.md'), 'utf8');
      expect(res.tldr.length).toBeGreaterThan(0);
      for (const s of res.tldr) {
        expect(md).toContain(`- ${s.text}`);
        for (const n of s.numbers) {
          expect(resolve(summary, n.pointer), `${s.text} ${n.pointer}`).toBe(n.value);
          expect(s.text).toContain(n.text);
          expectTextMatches(n);
        }
      }
    });
  }

  for (const run of ['three-reps', 'failed-cell']) {
    it(`${run}: every isolation number in the method section equals the figure at its pointer`, async () => {
      const out = path.join(tmp, `iso-${run}`);
      await summarize({ dirs: [path.join(fixtures, run)], out });
      const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
      const md = readFileSync(path.join(out, 'FINDINGS.md'), 'utf8');
      const s = loadSummary([path.join(fixtures, run)]);
      const iso = isolationSentences(s.rows, summary.totals);
      expect(md).toContain(`- Isolation: ${iso.text}`);
      expect(md).toContain('Only the config under test holds server connections during its cells');
      for (const x of iso.sentences)
        for (const n of x.numbers) {
          expect(resolve(summary, n.pointer), `${x.text} ${n.pointer}`).toBe(n.value);
          expectTextMatches(n);
        }
      if (run === 'three-reps') {
        expect(iso.text).toContain(
          '24 cells recorded the check; 0 of them found client backends of other configs',
        );
        expect(summary.totals.cellsIsolationChecked).toBe(24);
      } else {
        // An older bench: no isolation line, and no number pretending otherwise.
        expect(iso.text).toContain('isolation was not checked');
        expect(iso.sentences.flatMap((x) => x.numbers)).toEqual([]);
      }
    });
  }

  it('states memory as PSS, with the pooler and memory per server backend', async () => {
    await summarize({ dirs: [path.join(fixtures, 'three-reps')], out: path.join(tmp, 'mem') });
    const rows = loadSummary([path.join(fixtures, 'three-reps')]).rows;
    const mem = memoryRule(ruleContext(rows, { baseline: 'direct' }))[0]?.sentence;
    expect(mem?.text).toBe(
      "PostgreSQL's memory (PSS, peak) on readonly-short at 8 clients was 47.7 MiB through pgbouncer-tx against 57.2 MiB through direct, with 4 vs 8 server backends; pgbouncer:pgbouncer-tx itself 2.6 MiB; one more server backend cost PostgreSQL 2.4 vs 2.4 MiB (slope of PSS against server backends over the client counts run).",
    );
    expect(mem?.numbers.map((n) => n.pointer)).toContain('/rows/7/sampling/components/1/pssPeakBytes');
    const summary = JSON.parse(readFileSync(path.join(tmp, 'mem', 'summary.json'), 'utf8'));
    for (const n of mem?.numbers ?? []) {
      expect(resolve(summary, n.pointer), n.pointer).toBe(n.value);
      expectTextMatches(n);
    }
    expect(mem?.numbers.map((n) => n.pointer)).toContain('/rows/7/sampling/pssPerBackendSlope/bytes');
    const md = readFileSync(path.join(tmp, 'mem', 'FINDINGS.md'), 'utf8');
    expect(md).not.toMatch(/RSS \(MiB/);
    expect(md).toContain('RSS sum (MiB, peak; shared pages counted per process)');
  });

  it('says what the pooled path gained on the reconnect workload, from the data', async () => {
    const res = await summarize({ dirs: [path.join(fixtures, 'three-reps')], out: path.join(tmp, 'gain') });
    const gain = res.tldr.find((s) => s.kind === 'pooling-gain');
    expect(gain?.text).toBe(
      'Through pgbouncer-tx, readonly-short (a new connection per transaction) at 8 clients ran 13.1 times the TPS of direct (95% CI 12.9 to 13.3 over 3 paired reps; 6,802 vs 520 tps; connecting took 0.270 ms vs 3.80 ms).',
    );
    expect(res.tldr.find((s) => s.kind === 'overhead')?.text).toContain(
      '0.48 times the TPS of direct (95% CI 0.47 to 0.48 over 3 paired reps',
    );
  });

  it('mentions the failed cell and writes the method, setup and reproduce sections', async () => {
    const out = path.join(tmp, 'failed');
    const res = await summarize({ dirs: [path.join(fixtures, 'failed-cell')], out });
    const md = readFileSync(path.join(out, 'FINDINGS.md'), 'utf8');
    expect(
      res.tldr.find((s) => s.kind === 'anomaly' && s.text.includes('pgbouncer-tx__tpcb__c4__r2')),
    ).toBeDefined();
    expect(md).toContain('## Setup');
    expect(md).toContain(
      'pgbench -n -c 1 -j 1 -T 4 -P 1 -M simple -l --log-prefix=pgbench_log --failures-detailed',
    );
    expect(md).toContain('`vacuum pgbench_branches, pgbench_tellers; truncate pgbench_history`');
    expect(md).toContain('nearest-rank');
    expect(md).toContain(
      `bench run matrices/fixture.yaml\nbench summarize ${path.relative(process.cwd(), path.join(fixtures, 'failed-cell'))}`,
    );
    expect(md).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('says nowhere that a rate-limited workload stops scaling: its TPS is the offered rate', () => {
    // Every level at the same TPS: closed-loop, that is a config that stopped scaling.
    const flat = loadSummary([path.join(fixtures, 'three-reps')]).rows.map((r) => ({
      ...r,
      tps: { ...r.tps, mean: 1000, cv: 0 },
    }));
    expect(saturationRule(ruleContext(flat, { baseline: 'direct' })).length).toBeGreaterThan(0);
    const limited = flat.map((r) => ({
      ...r,
      load: {
        workload: r.workload,
        offeredTps: 1000,
        achievedTps: 1000,
        achievedRatio: 1,
        scheduled: 3000,
        skipped: 0,
        met: true,
      },
    }));
    expect(saturationRule(ruleContext(limited, { baseline: 'direct' }))).toEqual([]);
  });

  it('leaves out sentences whose numbers are missing rather than guessing', () => {
    const s = loadSummary([path.join(fixtures, 'three-reps')]);
    // Without a baseline there is no ratio: no overhead or pooling-gain sentence at all.
    const rows = s.rows.map((r) => {
      const { vsBaseline: _drop, ...rest } = r;
      return { ...rest, isBaseline: false };
    });
    const kinds = tldr(rows, {}).map((x) => x.kind);
    expect(kinds).not.toContain('overhead');
    expect(kinds).not.toContain('pooling-gain');
  });

  it('keeps the TL;DR to at most five sentences: comparisons ranked by effect, one noise sentence last', () => {
    const rows = loadSummary([path.join(fixtures, 'three-reps')]).rows;
    const out = tldr(rows, { baseline: 'direct' });
    expect(out.length).toBeLessThanOrEqual(5);
    const comparisons = out.filter((x) => x.kind === 'overhead' || x.kind === 'pooling-gain');
    const effects = comparisons.map((x) => Math.abs(Math.log(x.numbers[1]?.value as number)));
    expect(effects).toEqual([...effects].sort((a, b) => b - a));
    expect(out.filter((x) => x.kind === 'noise')).toHaveLength(1);
    expect(out[out.length - 1]?.kind).toBe('noise');
    expect(out[out.length - 1]?.text).toContain('the most direct on readonly at 1 client with 21.1%');
  });

  it('headlines no comparison whose interval includes no change, and says so when none is left', () => {
    const rows = loadSummary([path.join(fixtures, 'three-reps')]).rows.map((r) =>
      r.vsBaseline
        ? { ...r, vsBaseline: { ...r.vsBaseline, tpsRatioCi95: { low: 0.5, high: 20, pairs: 3 } } }
        : r,
    );
    const out = tldr(rows, { baseline: 'direct' });
    expect(out.map((x) => x.kind)).not.toContain('overhead');
    expect(out.map((x) => x.kind)).not.toContain('pooling-gain');
    expect(out.some((x) => x.text.startsWith('No TPS difference from direct is supported'))).toBe(true);
  });

  it('compares no profiled row with an unprofiled one (perf record costs TPS)', () => {
    const rows = loadSummary([path.join(fixtures, 'three-reps')]).rows;
    const before = tldr(rows, { baseline: 'direct' }).filter(
      (x) => x.kind === 'overhead' || x.kind === 'pooling-gain',
    );
    expect(before.length).toBeGreaterThan(0);
    const profiled = rows.map((r): typeof r => (r.isBaseline ? r : { ...r, profiled: true }));
    const after = tldr(profiled, { baseline: 'direct' }).map((x) => x.kind);
    expect(after).not.toContain('overhead');
    expect(after).not.toContain('pooling-gain');
  });

  it('with many noisy groups still says the noise once', () => {
    const rows = loadSummary([path.join(fixtures, 'three-reps')]).rows.map((r, i) => ({
      ...r,
      tps: { ...r.tps, cv: 0.2 + i / 100 },
    }));
    const out = tldr(rows, { baseline: 'direct' });
    expect(out.filter((x) => /vari/.test(x.text))).toHaveLength(1);
    expect(out.length).toBeLessThanOrEqual(5);
  });
});

describe('rough edges of FINDINGS.md (issue 19)', () => {
  it('prints the summarized directory relative to the working directory, never an absolute path', () => {
    expect(reproduceDir('/work/repo/results/run-1', '/work/repo')).toBe('results/run-1');
    expect(reproduceDir('results/run-1', '/work/repo')).toBe('results/run-1');
    expect(reproduceDir('/tmp/elsewhere/run-1', '/work/repo')).toBe('<results-dir>');
    expect(reproduceDir('/work/repo', '/work/repo')).toBe('.');
  });

  it('FINDINGS.md reproduces with a relative directory, not the absolute path of this machine', async () => {
    const out = path.join(tmp, 'reproduce');
    await summarize({ dirs: [path.join(fixtures, 'three-reps')], out });
    const md = readFileSync(path.join(out, 'FINDINGS.md'), 'utf8');
    expect(md).toContain('bench summarize test/fixtures/runs/three-reps\n');
    expect(md).not.toContain(`bench summarize ${fixtures}`);
  });

  it('the marginal memory of a backend is the slope of PSS against backends', () => {
    expect(
      slope([
        { x: 1, y: 10 },
        { x: 4, y: 16 },
      ]),
    ).toBe(2);
    expect(
      slope([
        { x: 4, y: 10 },
        { x: 4, y: 16 },
      ]),
    ).toBeUndefined();
  });

  it('with one client count the TL;DR gives no memory per server backend (the fixed memory would be divided)', () => {
    const all = loadSummary([path.join(fixtures, 'three-reps')]).rows;
    const rows: Row[] = structuredClone(all.filter((r) => r.concurrency === 8));
    for (const r of rows) if (r.sampling) delete r.sampling.pssPerBackendSlope;
    attachPssSlopes(rows);
    const mem = memoryRule(ruleContext(rows, { baseline: 'direct' }))[0]?.sentence;
    expect(mem?.text).toContain("PostgreSQL's memory (PSS, peak) on readonly-short at 8 clients");
    expect(mem?.text).not.toMatch(/per server backend|one more server backend/);
  });

  it('gives no marginal memory per backend when the backend counts barely moved', () => {
    const all = loadSummary([path.join(fixtures, 'three-reps')]).rows;
    const rows: Row[] = structuredClone(all);
    for (const r of rows) {
      if (!r.sampling) continue;
      delete r.sampling.pssPerBackendSlope;
      // 19 vs 20 peak backends at 1 and 8 clients: two peaks at different ticks, not a slope.
      r.sampling.serverBackendsPeak = r.concurrency === 1 ? 19 : 20;
    }
    attachPssSlopes(rows);
    expect(rows.some((r) => r.sampling?.pssPerBackendSlope !== undefined)).toBe(false);
    // Nor 1 vs 2: doubled, but one backend apart.
    for (const r of rows) if (r.sampling) r.sampling.serverBackendsPeak = r.concurrency === 1 ? 1 : 2;
    attachPssSlopes(rows);
    expect(rows.some((r) => r.sampling?.pssPerBackendSlope !== undefined)).toBe(false);
  });
});
