import { describe, expect, it } from 'vitest';
import type { CellRecord, CompletedCell, GroupRecord } from '../../src/results/types.js';
import { starvedRule } from '../../summarize/figures/clients/tldr.js';
import { backendsRule } from '../../summarize/figures/resources/tldr.js';
import { buildRows } from '../../summarize/model/build-rows.js';
import { matrixInfo } from '../../summarize/model/matrix-info.js';
import { pairKey, type Row } from '../../summarize/model/row.js';
import { ruleContext, tldr } from '../../summarize/tldr/index.js';

/**
 * The TL;DR of a mix: a group row is said against the same group of the other config, a total
 * against a total, and every sentence about a group names it.
 */

const lat = (p99: number, name: string) => ({
  count: 100,
  failed: 0,
  skipped: 0,
  meanMs: 1,
  minMs: 0.1,
  p50Ms: 1,
  p90Ms: 2,
  p95Ms: 3,
  p99Ms: p99,
  p999Ms: p99,
  maxMs: p99,
  histogramFile: `latency-histogram.${name}.json`,
});

function group(config: string, name: string, tps: number, clients: number, p99: number): GroupRecord {
  return {
    name,
    clients,
    threads: 1,
    database: 'bench',
    role: `bench_${config}`,
    argv: ['-c', String(clients)],
    processes: 1,
    logPrefix: 'pgbench_log_g1',
    exitCode: 0,
    summary: { processed: tps * 2, failed: 0, aborted: false, tps },
    latency: lat(p99, name),
    connectionErrors: 0,
  };
}

/** A completed cell of the mix `tenants` (web 5 clients, batch 2), as the runner records it. */
function mixCell(config: string, rep: number, web: number, batch: number): CompletedCell {
  return {
    schema: 1,
    id: `${config}__tenants__c1__r${rep}`,
    index: rep,
    config,
    workload: 'tenants',
    concurrency: 1,
    rep,
    threads: 2,
    startedAt: '',
    endedAt: '',
    argv: [],
    prepared: [],
    warnings: [],
    state: 'completed',
    exitCode: 0,
    summary: { processed: (web + batch) * 2, failed: 0, aborted: false, tps: web + batch },
    latency: { ...lat(9, 'x'), histogramFile: 'latency-histogram.json' },
    connectionErrors: 0,
    groups: [group(config, 'web', web, 5, 2), group(config, 'batch', batch, 2, 9)],
  };
}

// a is the baseline; b's web group runs clearly faster than a's, its total and batch within noise
// of a's. c's web is clearly slower than b's. Three reps, so every ratio has a paired interval.
const effective = {
  configs: [
    { name: 'a', kind: 'pgbouncer' },
    { name: 'b', kind: 'pgbouncer' },
    { name: 'c', kind: 'pgbouncer' },
  ],
  workloads: [{ name: 'tenants', mix: [{ name: 'web' }, { name: 'batch' }] }],
  concurrency: [1],
  reps: 3,
  baseline: 'a',
};
const cells: CellRecord[] = [
  mixCell('a', 1, 100, 1000),
  mixCell('a', 2, 102, 900),
  mixCell('a', 3, 98, 1100),
  mixCell('b', 1, 300, 810),
  mixCell('b', 2, 310, 690),
  mixCell('b', 3, 295, 900),
  mixCell('c', 1, 150, 1000),
  mixCell('c', 2, 160, 1010),
  mixCell('c', 3, 149, 990),
];
const rows = buildRows({ cells, matrix: matrixInfo(effective) }).rows;

/** The rows a sentence's numbers point at. */
const rowsOf = (numbers: readonly { pointer: string }[]) =>
  numbers.flatMap((n) => {
    const m = /^\/rows\/(\d+)\//.exec(n.pointer);
    return m ? [rows[Number(m[1])] as Row] : [];
  });

describe('the TL;DR of a mix', () => {
  const sentences = tldr(rows, { baseline: 'a' });
  const comparisons = sentences.filter((s) => /times the TPS of/.test(s.text));

  it('pairs a group with the same group of the other config, never with its total', () => {
    expect(comparisons.length).toBeGreaterThan(0);
    for (const s of comparisons) {
      const at = rowsOf(s.numbers);
      expect(new Set(at.map((r) => pairKey(r))).size, s.text).toBe(1);
      expect(new Set(at.map((r) => r.config)).size, s.text).toBe(2);
    }
  });

  it('names the group in every sentence about a group row, and counts its own clients', () => {
    const web = comparisons.find((s) => s.text.startsWith('Through b,'));
    expect(web?.text).toMatch(/^Through b, tenants \(group web\) at 5 clients ran 3\.\d+ times the TPS of a/);
    expect(web?.text).toContain('302 vs 100 tps');
    for (const s of sentences) {
      const groups = new Set(rowsOf(s.numbers).flatMap((r) => (r.group === undefined ? [] : [r.group])));
      for (const g of groups) expect(s.text, s.text).toContain(`group ${g}`);
    }
  });

  it('says the noise over rows, not "groups", in a run whose groups are client groups', () => {
    const noise = sentences.find((s) => s.kind === 'noise');
    expect(noise?.text).toMatch(/^Noise: the TPS of \d+ of 9 rows \(each client group of a mix one\) varied/);
  });

  it("compares two non-baseline configs' same group (the contrast), named", () => {
    const contrast = sentences.find((s) => s.text.startsWith('Between configs other than the baseline'));
    expect(contrast?.text).toMatch(
      /through b, tenants \(group web\) at 5 clients ran 1\.9\d times the TPS of c/,
    );
    const at = rowsOf(contrast?.numbers ?? []);
    expect(at.map((r) => `${r.config}/${r.group}`)).toEqual([
      'b/web',
      'b/web',
      'b/web',
      'b/web',
      'b/web',
      'b/web',
      'c/web',
    ]);
  });
});

describe('a pooler never "served" clients of a group that starved', () => {
  /** A pooled mix total that multiplexed 7 clients on 2 backends, and its groups. */
  const fixture = (batchStarved: number, totalStarved = batchStarved): Row[] => {
    const base = rows.filter((r) => r.config === 'b').map((r) => structuredClone(r));
    const clients = (n: number, starved: number) => ({
      reps: 3,
      clients: n,
      servedMin: n - starved,
      starvedMax: starved,
      starvedReps: starved > 0 ? 1 : 0,
      jainMean: 0.95,
      jainMin: 0.9,
      worstRep: 1,
      perClient: { min: 1, p10: 1, median: 10, max: 10, mean: 8 },
      latencyCoversAll: starved === 0,
    });
    for (const r of base) {
      if (r.group === undefined) {
        r.sampling = { serverBackendsPeak: 2, components: [] };
        r.clients = clients(7, totalStarved);
      } else r.clients = clients(r.groupClients ?? 0, r.group === 'batch' ? batchStarved : 0);
    }
    return base;
  };

  it('says it only when every group of the mix served all its clients', () => {
    const served = fixture(0);
    const [s] = backendsRule(ruleContext(served, { baseline: 'a' }));
    expect(s?.sentence.text).toBe('b served 7 clients on tenants with at most 2 server backends.');
    // The total counts every client served, its batch group's own figures say one starved.
    expect(backendsRule(ruleContext(fixture(1, 0), { baseline: 'a' }))).toEqual([]);
  });

  it("says who starved from the groups' own figures, naming the group, never the mix's total", () => {
    const [s, ...rest] = starvedRule(ruleContext(fixture(1), { baseline: 'a' }));
    expect(rest).toEqual([]);
    expect(s?.sentence.text).toMatch(
      /^b left 1 of 2 clients starved on tenants \(group batch\) at 2 clients/,
    );
    // Starved against the typical client of every group together (a batch client against a web
    // one), not within its own group: nothing said.
    expect(starvedRule(ruleContext(fixture(0, 2), { baseline: 'a' }))).toEqual([]);
  });
});
