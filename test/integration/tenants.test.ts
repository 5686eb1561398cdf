import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellRecord, CompletedCell } from '../../src/results/types.js';
import type { PgbouncerSample, Sample } from '../../src/sampling/types.js';
import { runMatrixText } from '../helpers/cli.js';

/**
 * Tenants on real PostgreSQL, PgBouncer and pgbench (docs/tenants.md): 3 databases x 2 roles, a
 * `tenant: each` group that gives every pair one client, through one PgBouncer: one pool per pair,
 * SHOW POOLS sampled per pool, and no backend counted foreign (the tenant roles are the config's).
 * A second config holds its own share of the tenants (2 databases x 1 role): only its pairs run,
 * and its own PgBouncer lists only their pools (docs/tenants.md, "Many pools").
 */
const MATRIX = `
name: tenants-test
duration: 2s
warmup: 0s
settle: 200ms
reps: 1
scale: 1
concurrency: [1]
auth: trust
provider: native
sample_interval: 250ms
tenants: { databases: 3, roles: 2 }
configs:
  - { name: pgb, kind: pgbouncer, pool_mode: transaction, default_pool_size: 1 }
  - { name: pgb-small, kind: pgbouncer, default_pool_size: 1, tenants: { databases: 2, roles: 1 } }
workloads:
  - name: many
    mix:
      - { name: t, builtin: readonly, clients: 1, rate: 50, tenant: each }
`;

const PAIRS = ['bench_t1', 'bench_t2', 'bench_t3'].flatMap((d) => [`${d}/bench_pgb_r1`, `${d}/bench_pgb_r2`]);
const SMALL_PAIRS = ['bench_t1/bench_pgb_small_r1', 'bench_t2/bench_pgb_small_r1'];

type PgbouncerSampling = {
  pools?: {
    poolsPeak: number;
    pools: Array<{ database: string; user: string; svActivePeak: number; svIdlePeak: number }>;
  };
  cost?: { pssPerPoolBytes?: number };
};

function cellOf(cells: readonly CellRecord[], config: string): CompletedCell {
  return cells.find((c) => c.config === config) as CompletedCell;
}

function sampledPools(runDir: string, cell: CompletedCell): Set<string> {
  const samples = readFileSync(path.join(runDir, 'cells', cell.id, 'samples.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Sample);
  return new Set(
    samples
      .filter((s): s is PgbouncerSample => s.kind === 'pgbouncer' && !('gap' in s))
      .flatMap((s) => s.pools.map((p) => `${p.database}/${p.user}`)),
  );
}

describe('tenants: a pool per (database, role) pair through one PgBouncer (native)', () => {
  let runDir: string;
  let cells: CellRecord[];
  let output: string;
  let exitCode: number | undefined;

  beforeAll(async () => {
    ({ runDir, cells, output, exitCode } = await runMatrixText('tenants', MATRIX));
  }, 120_000);

  it('runs one group per pair, each on its own database as its own tenant role', () => {
    expect(exitCode, output).toBe(0);
    const cell = cellOf(cells, 'pgb');
    expect(cell.state).toBe('completed');
    const groups = cell.groups ?? [];
    expect(groups.map((g) => `${g.database}/${g.role}`)).toEqual(PAIRS);
    for (const g of groups) expect(g.summary?.processed ?? 0, g.name).toBeGreaterThan(0);
  });

  it('samples SHOW POOLS for every pair and counts no foreign backend', () => {
    const cell = cellOf(cells, 'pgb');
    const seen = sampledPools(runDir, cell);
    for (const pair of PAIRS) expect(seen.has(pair), pair).toBe(true);
    const pgb = cell.sampling?.pgbouncer as PgbouncerSampling | undefined;
    const listed = new Set((pgb?.pools?.pools ?? []).map((p) => `${p.database}/${p.user}`));
    for (const pair of PAIRS) expect(listed.has(pair), pair).toBe(true);
    expect(pgb?.pools?.poolsPeak ?? 0).toBeGreaterThanOrEqual(PAIRS.length);
    const pg = cell.sampling?.postgres as { foreignBackendsPeak?: number } | undefined;
    expect(pg?.foreignBackendsPeak).toBe(0);
    expect(cell.prepared?.join('\n') ?? '').toMatch(/isolation: 0 foreign client backends/);
  });

  it("summary.json has the pools figure's cost per pool, and states no marginal cost from 2 and 6 pools", () => {
    const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as {
      rows: Array<{
        config: string;
        group?: string;
        pools?: {
          poolsPeak: number;
          cost?: { pssPerPoolBytes?: number; pools: number };
          slopes?: Array<{ pssBytesPerPool?: number; pssRefused?: string }>;
        };
      }>;
    };
    const row = summary.rows.find((r) => r.group === undefined && r.config === 'pgb');
    expect(row?.pools?.poolsPeak ?? 0).toBeGreaterThanOrEqual(PAIRS.length);
    expect(row?.pools?.cost?.pssPerPoolBytes ?? 0).toBeGreaterThan(0);
    // 2 pools (pgb-small) and 6 (pgb) are too close for a slope (POOL_SLOPE_RULE): none is stated.
    for (const s of row?.pools?.slopes ?? []) expect(s.pssBytesPerPool, JSON.stringify(s)).toBeUndefined();
    expect(summary.rows.filter((r) => r.group !== undefined).every((r) => r.pools === undefined)).toBe(true);
    expect(readFileSync(path.join(runDir, 'summary.md'), 'utf8')).toContain(
      'PgBouncer pools: who waited, and what pools cost',
    );
  });

  it('reports one row per tenant: each template in summary.md, the copies in summary.csv, and no pair of different clients', () => {
    const md = readFileSync(path.join(runDir, 'summary.md'), 'utf8');
    expect(md).toMatch(/\| pgb \| 1 \| t: 6 tenants \| 6 \|/);
    expect(md).toMatch(/\| pgb-small \| 1 \| t: 2 tenants \| 2 \|/);
    expect(md).not.toMatch(/\| t-t1r1 \|/);
    expect(md).toContain('Per-tenant rows: summary.csv');
    const csv = readFileSync(path.join(runDir, 'summary.csv'), 'utf8');
    expect(csv.split('\n').filter((l) => /,t-t\d+r\d+,/.test(l))).toHaveLength(
      PAIRS.length + SMALL_PAIRS.length,
    );
    // pgb ran 6 clients, pgb-small 2: their rows are no comparison of the two PgBouncers.
    const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as {
      rows: Array<{ config: string; tenantCopyOf?: string; contrasts?: unknown[] }>;
    };
    expect(summary.rows.filter((r) => r.tenantCopyOf === undefined).every((r) => !r.contrasts)).toBe(true);
  });

  it("runs a config's own share of the tenants only, through its own PgBouncer with only those pools", () => {
    const cell = cellOf(cells, 'pgb-small');
    expect(cell.state).toBe('completed');
    expect((cell.groups ?? []).map((g) => `${g.database}/${g.role}`)).toEqual(SMALL_PAIRS);
    const tenantPools = [...sampledPools(runDir, cell)].filter((p) => p.startsWith('bench_t')).sort();
    expect(tenantPools).toEqual(SMALL_PAIRS);
    const pgb = cell.sampling?.pgbouncer as PgbouncerSampling | undefined;
    expect(pgb?.cost?.pssPerPoolBytes ?? 0).toBeGreaterThan(0);
  });
});
