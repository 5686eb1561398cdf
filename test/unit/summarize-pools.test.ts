import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summarize } from '../../src/commands/summarize.js';
import type { CompletedCell } from '../../src/results/types.js';
import type { PoolSummary } from '../../src/sampling/types.js';
import type { FigureContext } from '../../summarize/figures/figure.js';
import { poolsFigure } from '../../summarize/figures/pools/figure.js';
import { perGroupProcessConfigs, poolRows, waitingRows } from '../../summarize/figures/pools/rows.js';
import { attachPoolSlopes, poolSpanRefusal } from '../../summarize/model/pool-slope.js';
import { aggregatePools, poolGroup, type RowPools } from '../../summarize/model/pools.js';
import type { Row } from '../../summarize/model/row.js';
import { ruleContext } from '../../summarize/tldr/index.js';
import type { NumberRef } from '../../summarize/tldr/number-ref.js';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/runs');
const tmp = mkdtempSync(path.join(tmpdir(), 'bench-pools-summary-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function resolve(doc: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc);
}

/** The printed text, read back as a number, matches the value to the precision printed. */
function expectTextMatches(n: NumberRef) {
  const digits = n.text.replace(/[,%]/g, '');
  const decimals = digits.includes('.') ? (digits.split('.')[1]?.length ?? 0) : 0;
  expect(Math.abs(Number(digits) - n.value * (n.scale ?? 1)), n.text).toBeLessThanOrEqual(
    0.5 * 10 ** -decimals + 1e-9,
  );
}

const pool = (
  database: string,
  user: string,
  waiting: number,
  k: Partial<PoolSummary> = {},
): PoolSummary => ({
  database,
  user,
  samples: 4,
  clActivePeak: 2,
  clActiveMean: 1.5,
  clWaitingPeak: waiting,
  clWaitingMean: waiting / 2,
  svActivePeak: 1,
  svIdlePeak: 1,
  maxwaitMsPeak: waiting * 10,
  ...k,
});

/** The `sampling.pgbouncer` of a cell with these listed pools and this cost. */
function pgbouncer(pools: PoolSummary[], peak: number, pss: number, cpu: number, omitted = 0) {
  return {
    samples: 4,
    clActivePeak: 1,
    clWaitingPeak: Math.max(0, ...pools.map((p) => p.clWaitingPeak)),
    maxwaitMsPeak: 0,
    svActivePeak: 1,
    serverConnectionsPeak: 1,
    pools: { poolsPeak: peak, poolsSeen: peak, pools, poolsOmitted: omitted },
    cost: {
      components: ['pgbouncer:pgbouncer-tx'],
      pools: peak,
      pssMeanBytes: pss,
      pssPerPoolBytes: Math.round(pss / peak),
      cpuCoresMean: cpu,
      cpuCoresPerPool: cpu / peak,
    },
  };
}

const cell = (rep: number, pb: ReturnType<typeof pgbouncer>, groups: string[] = []) =>
  ({
    rep,
    state: 'completed',
    versions: { pgbouncer: '1.18.0' },
    sampling: { pgbouncer: pb },
    ...(groups.length > 0 ? { groups: groups.map((name) => ({ name })) } : {}),
  }) as unknown as CompletedCell;

describe('the pools of a row, over reps', () => {
  it('takes the maximum of the peaks and the mean of the means, and names the group of its own pool', () => {
    const p = aggregatePools([
      cell(1, pgbouncer([pool('bench__batch', 'u', 6), pool('bench__web', 'u', 0)], 2, 4e6, 0.02), [
        'web',
        'batch',
      ]),
      cell(
        2,
        pgbouncer(
          [pool('bench__batch', 'u', 2, { clActiveMean: 2.5 }), pool('bench__web', 'u', 0)],
          2,
          5e6,
          0.04,
        ),
        ['web', 'batch'],
      ),
    ]);
    expect(p).toMatchObject({
      reps: 2,
      poolsPeak: 2,
      poolsWaited: 1,
      waitedComplete: true,
      version: '1.18.0',
    });
    expect(p?.pools[0]).toMatchObject({
      database: 'bench__batch',
      group: 'batch',
      reps: 2,
      clWaitingPeak: 6,
      clWaitingMean: 2,
      maxwaitMsPeak: 60,
      clActiveMean: 2,
    });
    expect(p?.pools[1]?.group).toBe('web');
    expect(p?.cost).toMatchObject({
      reps: 2,
      processes: 1,
      pools: 2,
      pssMeanBytes: 4.5e6,
      pssPerPoolBytes: 2.25e6,
    });
    expect(p?.cost?.cpuCoresMean).toBeCloseTo(0.03, 9);
  });

  it("attributes a PgBouncer-per-group process's pool to its group; the merged-record note only for old records", () => {
    const own = (group: string, waiting: number) =>
      pool('bench', 'role', waiting, { process: `pgbouncer:pp/group-${group}`, group });
    const perGroup = (pools: PoolSummary[]) => {
      const pb = pgbouncer(pools, 3, 6e6, 0.03);
      pb.cost.components = ['pgbouncer:pp', 'pgbouncer:pp/group-batch', 'pgbouncer:pp/group-web'];
      return pb;
    };
    const tagged = perGroup([
      own('batch', 5),
      own('web', 0),
      pool('bench', 'role', 0, { process: 'pgbouncer:pp' }),
    ]);
    const p = aggregatePools([cell(1, tagged, ['web', 'batch']), cell(2, tagged, ['web', 'batch'])]);
    expect(p?.pools.map((x) => [x.group, x.process, x.reps, x.clWaitingPeak])).toEqual([
      ['batch', 'pgbouncer:pp/group-batch', 2, 5],
      [undefined, 'pgbouncer:pp', 2, 0],
      ['web', 'pgbouncer:pp/group-web', 2, 0],
    ]);
    expect(p?.poolsWaited).toBe(1);
    const row = (pools: RowPools) => ({ config: 'pp', pools }) as unknown as Row;
    expect(perGroupProcessConfigs(poolRows([row(p as RowPools)]))).toEqual([]);
    // A record written before the processes' pools were kept apart: one merged pool, the note stays.
    const old = aggregatePools([cell(1, perGroup([pool('bench', 'role', 5)]), ['web', 'batch'])]);
    expect(old?.pools[0]?.group).toBeUndefined();
    expect(perGroupProcessConfigs(poolRows([row(old as RowPools)]))).toEqual(['pp']);
  });

  it('counts the waiting pools as a lower bound when the record left out pools while all listed ones waited', () => {
    const p = aggregatePools([cell(1, pgbouncer([pool('a', 'u', 3), pool('b', 'u', 1)], 30, 4e6, 0.01, 28))]);
    expect(p).toMatchObject({ poolsWaited: 2, waitedComplete: false, poolsOmitted: 28 });
    // The last listed pool had none waiting: the omitted ones had none either.
    const q = aggregatePools([cell(1, pgbouncer([pool('a', 'u', 3), pool('b', 'u', 0)], 30, 4e6, 0.01, 28))]);
    expect(q?.waitedComplete).toBe(true);
  });

  it('is absent for cells without per-pool figures (older records, no PgBouncer)', () => {
    expect(
      aggregatePools([{ rep: 1, state: 'completed', sampling: {} } as unknown as CompletedCell]),
    ).toBeUndefined();
    expect(poolGroup('bench', ['web'])).toBeUndefined();
  });
});

/** A cell row of a config with pools and a cost. */
function costRow(
  config: string,
  workload: string,
  pools: number,
  pss: number,
  cpu = 0.01 + pools * 1e-5,
): Row {
  const p = aggregatePools([cell(1, pgbouncer([pool('bench', 'u', 0)], pools, pss, cpu))]);
  return { config, workload, concurrency: 1, repsCompleted: 1, pools: p } as unknown as Row;
}

describe('the marginal cost of a pool', () => {
  it('is the slope of PSS and CPU against pools, with the fixed footprint left out', () => {
    const rows = [costRow('pgb', 't100', 100, 4_000_000), costRow('pgb', 't1000', 1000, 13_000_000)];
    attachPoolSlopes(rows);
    const s = rows[0]?.pools?.slopes?.[0];
    expect(s).toMatchObject({ scope: 'config', name: 'pgb', points: 2, poolsMin: 100, poolsMax: 1000 });
    expect(s?.pssBytesPerPool).toBe(10_000);
    expect(s?.cpuCoresPerPool).toBeCloseTo(1e-5, 12);
    expect(rows[1]?.pools?.slopes?.[0]).toBe(s);
  });

  it('spans configs of one PgBouncer version, and says why it refuses', () => {
    const across = [costRow('a', 'w', 100, 4_000_000), costRow('b', 'w', 1000, 13_000_000)];
    attachPoolSlopes(across);
    expect(across[0]?.pools?.slopes).toMatchObject([
      { scope: 'version', name: '1.18.0', configs: ['a', 'b'] },
    ]);

    const close = [costRow('pgb', 'x', 100, 4_000_000), costRow('pgb', 'y', 150, 4_500_000)];
    attachPoolSlopes(close);
    expect(close[0]?.pools?.slopes?.[0]?.pssBytesPerPool).toBeUndefined();
    expect(close[0]?.pools?.slopes?.[0]?.pssRefused).toBe(poolSpanRefusal(100, 150));
    expect(poolSpanRefusal(100, 1000)).toBeUndefined();

    const falling = [costRow('pgb', 'x', 100, 5_000_000), costRow('pgb', 'y', 1000, 4_900_000)];
    attachPoolSlopes(falling);
    expect(falling[0]?.pools?.slopes?.[0]?.pssRefused).toMatch(/not positive/);
    expect(falling[0]?.pools?.slopes?.[0]?.cpuCoresPerPool).toBeGreaterThan(0);

    const one = [costRow('pgb', 'x', 100, 4_000_000), costRow('pgb', 'y', 100, 4_100_000)];
    attachPoolSlopes(one);
    expect(one[0]?.pools?.slopes).toBeUndefined();
  });

  it('lists only pools that waited, in the order of summary.json', () => {
    const r = costRow('pgb', 'x', 3, 4_000_000);
    if (r.pools)
      r.pools.pools = [
        pool('b', 'u', 4),
        pool('a', 'u', 0),
        pool('c', 'u', 0, { maxwaitMsPeak: 2 }),
      ] as never;
    expect(waitingRows(poolRows([r])).map((w) => [w.pool.database, w.poolIndex])).toEqual([
      ['b', 0],
      ['c', 2],
    ]);
  });
});

/**
 * The recorded three-reps run with per-pool figures on its PgBouncer cells: 100 pools for readonly
 * and 1,000 for readonly-short (two pool counts), pool `bench__batch` waiting in readonly at 8 clients.
 */
function runWithPools(name: string): string {
  const dir = path.join(tmp, name);
  cpSync(path.join(fixtures, 'three-reps'), dir, { recursive: true });
  const file = path.join(dir, 'cells.jsonl');
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const out = lines.map((l) => {
    const c = JSON.parse(l);
    if (c.config !== 'pgbouncer-tx') return l;
    const many = c.workload === 'readonly-short';
    const waiting = !many && c.concurrency === 8 ? 3 + c.rep : 0;
    const pools = [pool('bench__batch', 'bench', waiting), pool('bench', 'bench', 0)];
    const n = many ? 1000 : 100;
    c.versions = { pgbouncer: '1.18.0' };
    c.sampling.pgbouncer = {
      ...c.sampling.pgbouncer,
      ...pgbouncer(pools, n, (many ? 13_000_000 : 4_000_000) + c.rep * 1000, 0.02 + n * 1e-5),
    };
    c.sampling.pgbouncer.pools.poolsOmitted = n - 2;
    return JSON.stringify(c);
  });
  writeFileSync(file, `${out.join('\n')}\n`);
  return dir;
}

/** The pools figure's TL;DR candidates over summary.json's rows. */
function candidates(doc: { rows: Row[] }, ctx: FigureContext) {
  const tctx = { ...ruleContext(doc.rows, {}), figure: ctx };
  return (poolsFigure.tldr?.(tctx, poolsFigure.rows(ctx)) ?? []).map((c) => c.sentence);
}

describe('summarize with per-pool figures', () => {
  it('points every number of the pools tables and TL;DR at its value in summary.json', async () => {
    const dir = runWithPools('pools');
    const outDir = path.join(tmp, 'out-pools');
    const res = await summarize({ dirs: [dir], out: outDir });
    const doc = JSON.parse(readFileSync(path.join(outDir, 'summary.json'), 'utf8'));
    const ctx = { rows: doc.rows, options: { warnings: [] } } as unknown as FigureContext;
    const rows = poolsFigure.rows(ctx);
    expect(rows).toHaveLength(4);
    let checked = 0;
    const shown: Record<string, number> = {};
    for (const t of poolsFigure.tables) {
      const tRows = (t.select ? t.select(rows, ctx) : rows) as unknown[];
      shown[t.id] = tRows.length;
      for (const c of t.columns(tRows as never, ctx))
        for (const r of tRows) {
          const p = c.pointer?.(r as never);
          if (c.align === 'right') expect(p, `${t.id} ${c.header}`).toBeDefined();
          if (!p) continue;
          const v = c.value?.(r as never);
          if (v === undefined) continue;
          expect(resolve(doc, p), `${t.id} ${c.header} ${p}`).toBe(v);
          checked++;
        }
    }
    expect(shown).toEqual({ 'pools-cost-table': 4, 'pools-waiting-table': 1, 'pools-slope-table': 1 });
    expect(checked).toBeGreaterThan(50);
    const slope = doc.rows.find((r: Row) => r.pools?.slopes)?.pools.slopes[0];
    expect(slope).toMatchObject({ scope: 'config', name: 'pgbouncer-tx', poolsMin: 100, poolsMax: 1000 });
    expect(slope.pssBytesPerPool).toBe(10_000);

    // The TL;DR ranks every figure's candidates: the marginal cost made it, the waiting pool (a lower tier) did not.
    expect(res.tldr.filter((s) => s.kind === 'pools')).toHaveLength(1);
    const pools = candidates(doc, ctx);
    expect(pools.map((s) => s.text)).toEqual([
      'Each additional pool cost PgBouncer (config pgbouncer-tx) 10 KiB of PSS and 0.010 millicores of CPU (marginal: slope over 4 cell rows from 100 to 1,000 pools, its fixed footprint excluded; it includes what came with each pool: its connections and their traffic).',
      'In readonly at 8 clients through pgbouncer-tx, pool bench__batch / bench had up to 6 clients waiting for a server connection (maxwait up to 60.0 ms): the only one of its 100 pools with a client waiting.',
    ]);
    for (const s of pools)
      for (const n of s.numbers) {
        expect(resolve(doc, n.pointer), `${s.text} ${n.pointer}`).toBe(n.value);
        expectTextMatches(n);
      }
    const findings = readFileSync(path.join(outDir, 'FINDINGS.md'), 'utf8');
    expect(findings).toContain('PgBouncer pools: who waited, and what pools cost');
    expect(findings).toContain('| bench__batch / bench |');
    expect(findings).toContain('**Cost of pools**');
    expect(findings).toContain('![plots/pools-pss.svg](plots/pools-pss.svg)');
    expect(readFileSync(path.join(outDir, 'summary.md'), 'utf8')).toContain(
      'The marginal cost of one more pool',
    );
    expect(readFileSync(path.join(outDir, 'report.html'), 'utf8')).toContain('pools-slope-table');
    expect(existsSync(path.join(outDir, 'plots/pools-pss.svg'))).toBe(true);
  });

  it('names the pool that waited most when the records name every pool that waited', async () => {
    const dir = runWithPools('pools-complete');
    const file = path.join(dir, 'cells.jsonl');
    // Every pool listed: the waiting count is exact, and the TL;DR may say bench__batch was the only one.
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    writeFileSync(
      file,
      `${lines
        .map((l) => {
          const c = JSON.parse(l);
          if (c.sampling?.pgbouncer?.pools) c.sampling.pgbouncer.pools.poolsOmitted = 0;
          if (c.sampling?.pgbouncer?.pools) c.sampling.pgbouncer.pools.poolsSeen = 2;
          return JSON.stringify(c);
        })
        .join('\n')}\n`,
    );
    const outDir = path.join(tmp, 'out-complete');
    await summarize({ dirs: [dir], out: outDir });
    const doc = JSON.parse(readFileSync(path.join(outDir, 'summary.json'), 'utf8'));
    const ctx = { rows: doc.rows, options: { warnings: [] } } as unknown as FigureContext;
    const s = candidates(doc, ctx).find((x) => x.text.includes('waiting'));
    expect(s?.text).toBe(
      'In readonly at 8 clients through pgbouncer-tx, pool bench__batch / bench had up to 6 clients waiting for a server connection (maxwait up to 60.0 ms): the only one of its 2 pools with a client waiting.',
    );
    for (const n of s?.numbers ?? []) expect(resolve(doc, n.pointer)).toBe(n.value);
  });

  it('names no pool when there is one, or when its waiting client waited 0 ms (a login caught at one tick)', async () => {
    for (const [name, seen, maxwait] of [
      ['pools-single', 1, 60],
      ['pools-nowait', 2, 0],
    ] as const) {
      const dir = runWithPools(name);
      const file = path.join(dir, 'cells.jsonl');
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      writeFileSync(
        file,
        `${lines
          .map((l) => {
            const c = JSON.parse(l);
            const p = c.sampling?.pgbouncer?.pools;
            if (p) {
              p.poolsOmitted = 0;
              p.poolsSeen = seen;
              for (const q of p.pools) q.maxwaitMsPeak = maxwait;
            }
            return JSON.stringify(c);
          })
          .join('\n')}\n`,
      );
      const outDir = path.join(tmp, `out-${name}`);
      await summarize({ dirs: [dir], out: outDir });
      const doc = JSON.parse(readFileSync(path.join(outDir, 'summary.json'), 'utf8'));
      const ctx = { rows: doc.rows, options: { warnings: [] } } as unknown as FigureContext;
      expect(
        candidates(doc, ctx).find((x) => x.text.includes('clients waiting'))?.text,
        name,
      ).toBeUndefined();
    }
  });

  it('leaves a run without per-pool figures as it was: no pools key, section or plot', async () => {
    const outDir = path.join(tmp, 'out-plain');
    await summarize({ dirs: [path.join(fixtures, 'three-reps')], out: outDir });
    const doc = JSON.parse(readFileSync(path.join(outDir, 'summary.json'), 'utf8'));
    expect(doc.rows.some((r: Row) => r.pools !== undefined)).toBe(false);
    expect(readFileSync(path.join(outDir, 'FINDINGS.md'), 'utf8')).not.toContain('PgBouncer pools');
    expect(existsSync(path.join(outDir, 'plots/pools-pss.svg'))).toBe(false);
  });
});
