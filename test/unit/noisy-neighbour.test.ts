import { describe, expect, it } from 'vitest';
import { fmtP99Ratio } from '../../summarize/figures/noisy-neighbour/format.js';
import { configPairs } from '../../summarize/figures/noisy-neighbour/ranking.js';
import { isolationRows } from '../../summarize/figures/noisy-neighbour/rows.js';
import { isolationTable } from '../../summarize/figures/noisy-neighbour/table.js';
import { isolationCandidates, rankingCandidates } from '../../summarize/figures/noisy-neighbour/tldr.js';
import { attachAlone, pairedLogRatio } from '../../summarize/model/alone.js';
import type { Row } from '../../summarize/model/row.js';
import { describe as stats } from '../../summarize/model/stats.js';

/** A group row from per-rep TPS and p99. */
function row(config: string, workload: string, group: string, tps: number[], p99: number[]): Row {
  return {
    config,
    workload,
    group,
    concurrency: 1,
    reconnect: false,
    isBaseline: config === 'shared',
    repsCompleted: tps.length,
    tps: stats(tps),
    latency: { p99Ms: Math.max(...p99) } as Row['latency'],
    processed: 1000,
    failedTransactions: 0,
    connectionErrors: 0,
    abortedReps: 0,
    failedCells: [],
    skippedCells: [],
    samples: tps.map((t, i) => ({
      cellId: `${config}__${workload}__c1__r${i + 1}`,
      rep: i + 1,
      tps: t,
      p99Ms: p99[i] as number,
      processed: 100,
      failedTransactions: 0,
      outlier: false,
    })),
  };
}

/** web + batch (noisy) and web alone (quiet), through two topologies. */
function matrixRows(perGroupNoisyP99: number[]): Row[] {
  return [
    row('shared', 'noisy', 'web', [190, 195, 200], [50, 40, 60]),
    row('shared', 'noisy', 'batch', [900, 950, 1000], [20, 20, 20]),
    row('shared', 'quiet', 'web', [200, 200, 200], [4, 5, 4]),
    row('per-group', 'noisy', 'web', [199, 200, 198], perGroupNoisyP99),
    row('per-group', 'noisy', 'batch', [800, 850, 900], [22, 21, 20]),
    row('per-group', 'quiet', 'web', [200, 201, 200], [4, 4, 5]),
  ];
}

describe('a quiet group with and without its noisy neighbour', () => {
  it('pairs each rep and gives the geometric mean ratio with a t-interval', () => {
    const p = pairedLogRatio(
      [
        { rep: 1, v: 8 },
        { rep: 2, v: 8 },
        { rep: 3, v: undefined },
      ],
      [
        { rep: 1, v: 2 },
        { rep: 2, v: 2 },
        { rep: 3, v: 1 },
      ],
    );
    expect(p).toEqual({ estimate: 4, low: 4, high: 4, pairs: 2 });
    expect(pairedLogRatio([{ rep: 1, v: 1 }], [{ rep: 1, v: 1 }])).toBeUndefined();
  });

  it('finds the alone workload (a subset of the groups) and names the missing neighbour', () => {
    const rows = matrixRows([3, 4, 3]);
    attachAlone(rows, 'shared');
    expect(rows[0]?.alone).toMatchObject({ workload: 'quiet', without: ['batch'], rowIndex: 2 });
    expect(rows[0]?.alone?.p99Ratio?.estimate).toBeCloseTo(Math.cbrt((50 / 4) * (40 / 5) * (60 / 4)), 6);
    expect(rows[1]?.alone).toBeUndefined(); // batch never ran alone
    expect(rows[2]?.alone).toBeUndefined(); // the alone row itself
    expect(rows[3]?.alone?.p99VsBaseline?.config).toBe('shared');
    expect(rows[0]?.alone?.p99VsBaseline).toBeUndefined(); // the baseline is not compared with itself
    expect(isolationRows(rows).map((r) => `${r.config}/${r.group}`)).toEqual(['shared/web', 'per-group/web']);
  });

  it('names the topology only when the paired interval excludes 1', () => {
    const decided = matrixRows([3, 4, 3]);
    attachAlone(decided, 'shared');
    const [d] = isolationCandidates(decided, isolationRows(decided));
    expect(d?.sentence.text).toContain('per-group protected web better than shared.');
    for (const n of d?.sentence.numbers ?? []) expect(n.pointer).toMatch(/^\/rows\/\d+\//);

    const close = matrixRows([60, 35, 55]);
    attachAlone(close, 'shared');
    const [c] = isolationCandidates(close, isolationRows(close));
    expect(c?.sentence.text).toContain('cannot tell the two topologies apart');
  });
});

/** Resolves an RFC 6901 JSON pointer. */
const resolve = (doc: unknown, pointer: string): unknown =>
  pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc);

/**
 * Three topologies, two quiet groups (web, billing) beside the noisy batch, and the quiet mix.
 * `p99` gives each config's per-rep p99 of web and billing with the neighbour.
 */
function threeTopologies(p99: Record<string, { web: number[]; billing: number[] }>): Row[] {
  return ['shared', 'per-group', 'per-process'].flatMap((config) => {
    const g = p99[config] as { web: number[]; billing: number[] };
    return [
      row(config, 'noisy', 'web', [200, 200, 200], g.web),
      row(config, 'noisy', 'batch', [900, 950, 1000], [20, 20, 20]),
      row(config, 'noisy', 'billing', [30, 30, 30], g.billing),
      row(config, 'quiet', 'web', [200, 200, 200], [4, 5, 4]),
      row(config, 'quiet', 'billing', [30, 30, 30], [60, 61, 59]),
    ];
  });
}

const tldrOf = (rows: Row[]) => {
  attachAlone(rows, 'shared');
  return rankingCandidates(isolationRows(rows));
};

describe('which topology protected the quiet groups best', () => {
  const clear = {
    shared: { web: [500, 400, 600], billing: [300, 280, 320] },
    'per-group': { web: [10, 12, 11], billing: [80, 82, 79] },
    'per-process': { web: [40, 44, 41], billing: [160, 150, 170] },
  };

  it('pairs each quiet group between every two configs, the baseline included, with pointers', () => {
    const rows = threeTopologies(clear);
    attachAlone(rows, 'shared');
    const web = rows.find((r) => r.config === 'per-group' && r.workload === 'noisy' && r.group === 'web');
    expect(web?.alone?.p99VsBaseline?.config).toBe('shared');
    expect(web?.alone?.p99VsOthers?.map((v) => v.config)).toEqual(['per-process']);
    expect(web?.alone?.p99VsOthers?.[0]?.estimate).toBeCloseTo(
      Math.cbrt((10 / 40) * (12 / 44) * (11 / 41)),
      6,
    );
    const base = rows.find((r) => r.config === 'shared' && r.workload === 'noisy' && r.group === 'web');
    expect(base?.alone?.p99VsOthers?.map((v) => v.config)).toEqual(['per-group', 'per-process']);
    // Never the other config's batch or total: the same group only.
    expect(rows.find((r) => r.group === 'batch')?.alone).toBeUndefined();
    const pairs = configPairs(isolationRows(rows));
    expect(pairs.map((v) => `${v.from.group}: ${v.from.config} / ${v.config}`)).toEqual([
      'web: per-group / per-process',
      'billing: per-group / per-process',
    ]);
    const doc = JSON.parse(JSON.stringify({ rows }));
    for (const v of pairs) expect(resolve(doc, `${v.pointer}/estimate`)).toBe(v.ratio.estimate);
  });

  it('names the best topology when every paired interval against every other excludes 1', () => {
    const rows = threeTopologies(clear);
    const out = tldrOf(rows);
    expect(out).toHaveLength(1);
    const s = out[0]?.sentence;
    expect(s?.text).toMatch(
      /^With batch running in noisy, per-group kept the p99 of every quiet group \(web, billing\) lowest of the 3 topologies \(shared, per-group, per-process\): .* \(the least clear, against per-process for group billing: 0\.\d+x, CI \[0\.\d+, 0\.\d+\] over 3 reps\)\.$/,
    );
    const doc = JSON.parse(JSON.stringify({ rows }));
    for (const n of s?.numbers ?? []) expect(resolve(doc, n.pointer), n.pointer).toBe(n.value);
  });

  it('says per group when only some groups are decided, and why the others are not', () => {
    const rows = threeTopologies({
      ...clear,
      // billing through per-process: sometimes better, sometimes worse than per-group.
      'per-process': { web: [40, 44, 41], billing: [40, 160, 90] },
    });
    const texts = tldrOf(rows).map((c) => c.sentence.text);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain("per-group kept group web's p99 lowest of the 3 topologies");
    expect(texts[1]).toMatch(
      /the data cannot tell which of the 3 topologies .* kept group billing's p99 lowest: per-group had the lowest p99 \(82\.0 ms, merged over reps\), but its per-rep p99 ratio against per-process, 0\.\d+x, has a paired 95% CI of \[0\.\d+, \d+\.\d+\] over 3 reps, which includes 1\.$/,
    );
  });

  it('never names a best topology without an interval (fewer than 2 paired reps)', () => {
    const rows = threeTopologies(clear);
    for (const r of rows) if (r.config === 'per-process') r.samples = r.samples.slice(0, 1);
    const texts = tldrOf(rows).map((c) => c.sentence.text);
    expect(texts.every((t) => t.includes('the data cannot tell'))).toBe(true);
    expect(texts[0]).toContain('against per-process it has fewer than 2 paired reps (no interval)');
  });

  it('names the baseline when it is the one below every other', () => {
    const rows = threeTopologies({
      shared: clear['per-group'],
      'per-group': clear.shared,
      'per-process': clear['per-process'],
    });
    const [c, ...rest] = tldrOf(rows);
    expect(rest).toEqual([]);
    expect(c?.sentence.text).toContain('shared kept the p99 of every quiet group (web, billing) lowest');
    expect(c?.sentence.numbers[0]?.pointer).toMatch(/^\/rows\/\d+\/alone\/p99VsOthers\/1\/estimate$/);
  });

  it('says nothing of a ranking with two configs: the comparison with the baseline is the question', () => {
    const rows = threeTopologies(clear).filter((r) => r.config !== 'per-process');
    expect(tldrOf(rows)).toEqual([]);
  });

  it('prints a ratio far below 1 with two significant digits, never 0.00', () => {
    expect(fmtP99Ratio(0.0047)).toBe('0.0047');
    expect(fmtP99Ratio(0.36)).toBe('0.36');
    expect(fmtP99Ratio(12.34)).toBe('12.3');
  });
});

/** A mix's total row (group undefined) that ran `clients` clients in all. */
function total(config: string, workload: string, clients: number): Row {
  const { group: _, ...t } = row(config, workload, 'x', [1000, 1000, 1000], [20, 20, 20]);
  return { ...t, groupClients: clients };
}

describe('a quiet group whose mixes ran different clients under two configs (per-config tenant shares)', () => {
  // web has the same clients under every config, but the noisy mix's `tenant: each` neighbours
  // are fewer under per-group: its lower p99 would credit the topology for a smaller neighbour.
  const withTotals = (rows: Row[], clients: Record<string, number>) => [
    ...rows,
    ...Object.entries(clients).map(([config, n]) => total(config, 'noisy', n)),
  ];

  it('pairs no p99 with the baseline and says why in the table', () => {
    const rows = withTotals(matrixRows([3, 4, 3]), { shared: 12, 'per-group': 8 });
    attachAlone(rows, 'shared');
    const web = rows[3]?.alone;
    expect(web?.p99VsBaseline).toBeUndefined();
    expect(web?.notComparable).toEqual([
      { config: 'shared', reason: 'the mixes ran different clients (8 vs 12)', isBaseline: true },
    ]);
    expect(rows[0]?.alone?.p99VsOthers).toBeUndefined();
    const iso = isolationRows(rows);
    expect(isolationCandidates(rows, iso)).toEqual([]);
    const col = isolationTable.columns(iso, {} as never).find((c) => c.header.startsWith('p99 vs baseline'));
    expect(col?.text(iso[1] as (typeof iso)[number])).toBe(
      'not comparable with shared: the mixes ran different clients (8 vs 12)',
    );
  });

  it('still pairs them when the mixes ran the same clients', () => {
    const rows = withTotals(matrixRows([3, 4, 3]), { shared: 12, 'per-group': 12 });
    attachAlone(rows, 'shared');
    expect(rows[3]?.alone?.p99VsBaseline?.config).toBe('shared');
    expect(rows[3]?.alone?.notComparable).toBeUndefined();
  });

  it('ranks no topology when one config ran a smaller mix', () => {
    const clear = {
      shared: { web: [500, 400, 600], billing: [300, 280, 320] },
      'per-group': { web: [10, 12, 11], billing: [80, 82, 79] },
      'per-process': { web: [40, 44, 41], billing: [160, 150, 170] },
    };
    const rows = withTotals(threeTopologies(clear), { shared: 12, 'per-group': 8, 'per-process': 12 });
    expect(tldrOf(rows)).toEqual([]);
    expect(configPairs(isolationRows(rows)).map((v) => `${v.from.config} / ${v.config}`)).toEqual([]);
    const pp = rows.find((r) => r.config === 'per-process' && r.workload === 'noisy' && r.group === 'web');
    expect(pp?.alone?.p99VsBaseline?.config).toBe('shared');
  });
});
