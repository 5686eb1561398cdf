import type { LatencyHistogram } from '../../src/pgbench/histogram.js';
import { mergeSummaries } from '../../src/pgbench/merge-summary.js';
import type { CellRecord, GroupRecord, LatencySummary } from '../../src/results/types.js';
import { percentilesMs, us2ms } from './histogram-ms.js';
import type { Row, TenantSpread } from './row.js';
import { median } from './stats.js';

/**
 * A `tenant: each` group (docs/tenants.md, "Tenants") runs as one group per (database, role) pair,
 * `<template>-t<i>r<j>` (src/matrix/workload.ts names them). With 1,000 pairs a row per copy makes
 * every human table unreadable, so the reports show ONE synthesized row per template: its copies'
 * records merged per cell (TPS and counts add up, the histograms merge), plus the spread across
 * copies. The copies' own rows stay in the model for summary.json and summary.csv. Pure.
 */

export interface TenantCopy {
  template: string;
  /** `t<i>`: database bench_t<i>. */
  database: number;
  /** `r<j>`: the config's role _r<j>. */
  role: number;
}

const COPY_NAME = /^(.+)-t(\d+)r(\d+)$/;

/** The template a group name is a copy of, when it is one of `templates` (the mix's `tenant: each` groups). */
export function tenantCopyOf(name: string, templates: readonly string[] | undefined): TenantCopy | undefined {
  const m = COPY_NAME.exec(name);
  if (!m || !templates?.includes(m[1] as string)) return undefined;
  return { template: m[1] as string, database: Number(m[2]), role: Number(m[3]) };
}

/**
 * One group record standing for every copy of a template in one cell: clients, processes, TPS,
 * transactions and failures add up (the copies ran side by side over the same seconds:
 * mergeSummaries), the rate adds up, the argv and log prefix are the first copy's. Without a
 * summary from every copy the record has none, so the row counts the cell as not completed rather
 * than quote a sum that lacks a tenant. No latency: its percentiles come from the copies' histograms.
 */
export function templateGroup(template: string, copies: readonly GroupRecord[]): GroupRecord {
  const [first] = copies;
  const summaries = copies.flatMap((g) => (g.summary ? [g.summary] : []));
  const rates = copies.map((g) => g.load?.rate);
  const rate = rates.every((r) => r !== undefined)
    ? rates.reduce<number>((a, r) => a + (r ?? 0), 0)
    : undefined;
  return {
    name: template,
    clients: sum(copies.map((g) => g.clients)),
    threads: sum(copies.map((g) => g.threads)),
    database: first?.database ?? '',
    role: first?.role ?? '',
    argv: first?.argv ?? [],
    processes: sum(copies.map((g) => g.processes)),
    logPrefix: first?.logPrefix ?? '',
    exitCode: copies.find((g) => g.exitCode !== 0)?.exitCode ?? 0,
    ...(first?.load ? { load: { ...first.load, ...(rate === undefined ? {} : { rate }) } } : {}),
    ...(summaries.length === copies.length && summaries.length > 0
      ? { summary: mergeSummaries(summaries) }
      : {}),
    connectionErrors: sum(copies.map((g) => g.connectionErrors)),
  };
}

/**
 * A mix cell's groups with each template's copies replaced by one template record (in the place of
 * its first copy), and the copies of each template by name.
 */
export function collapseCopies(
  groups: readonly GroupRecord[],
  templates: readonly string[] | undefined,
): { groups: GroupRecord[]; copies: Map<string, GroupRecord[]> } {
  const copies = new Map<string, GroupRecord[]>();
  for (const g of groups) {
    const t = tenantCopyOf(g.name, templates)?.template;
    if (t !== undefined) copies.set(t, [...(copies.get(t) ?? []), g]);
  }
  const out: GroupRecord[] = [];
  for (const g of groups) {
    const t = tenantCopyOf(g.name, templates)?.template;
    if (t === undefined) out.push(g);
    else if (copies.get(t)?.[0] === g) out.push(templateGroup(t, copies.get(t) ?? []));
  }
  return { groups: out, copies };
}

/**
 * A template's latency in one cell, from its copies' histograms merged (`h`): exact percentiles of
 * every copy's transactions; failures and skips add up. No schedule lag: the copies' lag
 * percentiles cannot be merged from their summaries. No file: the histogram is built in memory.
 */
export function latencySummaryOf(h: LatencyHistogram, copies: readonly CellRecord[]): LatencySummary {
  return {
    count: h.count,
    failed: sum(copies.map((c) => c.latency?.failed ?? 0)),
    skipped: sum(copies.map((c) => c.latency?.skipped ?? 0)),
    meanMs: us2ms(h.mean),
    minMs: us2ms(h.min),
    ...percentilesMs(h),
    maxMs: us2ms(h.max),
    histogramFile: '',
  };
}

/**
 * The spread across a template row's copies (same config, workload and concurrency): the worst
 * copy's p99 and which, and the copies' mean TPS, lowest, median and highest (and which is lowest),
 * so one starved or slow tenant stays visible in the one row.
 */
export function tenantSpread(copyRows: readonly Row[]): TenantSpread | undefined {
  if (copyRows.length === 0) return undefined;
  const parsed = copyRows.map((r) => ({ r, n: COPY_NAME.exec(r.group ?? '') }));
  const databases = new Set(parsed.map((p) => p.n?.[2])).size;
  const roles = new Set(parsed.map((p) => p.n?.[3])).size;
  const withTps = copyRows.filter((r) => r.tps.n > 0);
  const byTps = [...withTps].sort((a, b) => a.tps.mean - b.tps.mean);
  const slowest = [...copyRows]
    .filter((r) => r.latency !== undefined)
    .sort((a, b) => (b.latency?.p99Ms ?? 0) - (a.latency?.p99Ms ?? 0))[0];
  const low = byTps[0];
  const high = byTps[byTps.length - 1];
  return {
    copies: copyRows.length,
    databases,
    roles,
    ...(slowest?.latency ? { worstP99: { group: slowest.group ?? '', ms: slowest.latency.p99Ms } } : {}),
    ...(low && high
      ? {
          copyTps: {
            min: low.tps.mean,
            minGroup: low.group ?? '',
            median: median(byTps.map((r) => r.tps.mean)),
            max: high.tps.mean,
          },
        }
      : {}),
  };
}

/**
 * The rows the human tables show (summary.md, FINDINGS.md, report.html, the terminal): every row but
 * a template's copies, which its one row stands for. summary.json and summary.csv keep them all.
 */
export function reportRows<R extends Pick<Row, 'tenantCopyOf'>>(rows: readonly R[]): R[] {
  return rows.filter((r) => r.tenantCopyOf === undefined);
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
