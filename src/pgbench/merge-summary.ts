import type { PgbenchSummary } from './types.js';

/**
 * One summary for a cell run as several pgbench processes started together. Counts add up
 * (transactions, failures, clients, threads, TPS: the processes ran side by side over the same
 * seconds); the latency average is weighted by transactions; the initial connection time is the
 * slowest process's (each process connects all its clients before it measures). The
 * standard deviation cannot be combined from the printed figures alone and is left out; the
 * percentiles come from the merged per-transaction logs.
 */
export function mergeSummaries(parts: readonly PgbenchSummary[]): PgbenchSummary {
  const [first] = parts;
  if (parts.length === 1 && first) return first;
  const sum = (f: (s: PgbenchSummary) => number | undefined) => {
    const vs = parts.map(f);
    return vs.every((v) => v !== undefined) ? vs.reduce<number>((a, b) => a + (b ?? 0), 0) : undefined;
  };
  const max = (f: (s: PgbenchSummary) => number | undefined) => {
    const vs = parts.map(f).filter((v): v is number => v !== undefined);
    return vs.length === parts.length && vs.length > 0 ? Math.max(...vs) : undefined;
  };
  const processed = parts.reduce((a, s) => a + s.processed, 0);
  const weighted = (f: (s: PgbenchSummary) => number | undefined) => {
    if (processed === 0 || parts.some((s) => f(s) === undefined)) return undefined;
    return parts.reduce((a, s) => a + (f(s) ?? 0) * s.processed, 0) / processed;
  };
  const out: PgbenchSummary = {
    processed,
    failed: parts.reduce((a, s) => a + s.failed, 0),
    aborted: parts.some((s) => s.aborted),
  };
  const set = <K extends keyof PgbenchSummary>(k: K, v: PgbenchSummary[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('transactionType', first?.transactionType);
  set('scalingFactor', first?.scalingFactor);
  set('queryMode', first?.queryMode);
  set(
    'durationS',
    max((s) => s.durationS),
  );
  set(
    'clients',
    sum((s) => s.clients),
  );
  set(
    'threads',
    sum((s) => s.threads),
  );
  set(
    'tps',
    sum((s) => s.tps),
  );
  set('tpsBasis', parts.every((s) => s.tpsBasis === first?.tpsBasis) ? first?.tpsBasis : 'unknown');
  set(
    'latencyAvgMs',
    weighted((s) => s.latencyAvgMs),
  );
  set(
    'averageConnectionMs',
    weighted((s) => s.averageConnectionMs),
  );
  set(
    'initialConnectionMs',
    max((s) => s.initialConnectionMs),
  );
  // -R/-L (a rate split over the processes): skipped and late add up, the lag is weighted, its max is the worst.
  set(
    'skipped',
    sum((s) => s.skipped),
  );
  set(
    'lateTransactions',
    sum((s) => s.lateTransactions),
  );
  set(
    'lagAvgMs',
    weighted((s) => s.lagAvgMs),
  );
  set(
    'lagMaxMs',
    max((s) => s.lagMaxMs),
  );
  return out;
}

/**
 * The seconds a summary's transactions were measured over: pgbench's own TPS excludes the initial
 * connection time, so processed / tps; without a TPS (nothing completed), the -T it ran.
 */
function measuredSeconds(s: PgbenchSummary): number | undefined {
  if (s.tps !== undefined && s.tps > 0 && s.processed > 0) return s.processed / s.tps;
  return s.durationS;
}

/**
 * One summary for pgbench processes run one AFTER another over the same clients (a client group's
 * profile segments, docs/tenants.md), each part a segment's (already merged over its split
 * processes). Unlike mergeSummaries, TPS does not add: it is all transactions over all measured
 * seconds (each segment's processed / tps, i.e. without its initial connection time), and the
 * duration is the segments' sum. Clients and threads are the most of any segment (the same clients
 * again). The initial connection time adds up: every segment connects its clients anew. Latency
 * and lag means are weighted by transactions; the lag's maximum is the worst segment's.
 */
export function mergeSequential(parts: readonly PgbenchSummary[]): PgbenchSummary {
  const [first] = parts;
  if (parts.length === 1 && first) return first;
  const all = (f: (s: PgbenchSummary) => number | undefined) => {
    const vs = parts.map(f);
    return vs.every((v) => v !== undefined) && vs.length > 0 ? (vs as number[]) : undefined;
  };
  const sum = (f: (s: PgbenchSummary) => number | undefined) => all(f)?.reduce((a, b) => a + b, 0);
  const max = (f: (s: PgbenchSummary) => number | undefined) => {
    const vs = all(f);
    return vs ? Math.max(...vs) : undefined;
  };
  const processed = parts.reduce((a, s) => a + s.processed, 0);
  const weighted = (f: (s: PgbenchSummary) => number | undefined) => {
    if (processed === 0 || parts.some((s) => f(s) === undefined)) return undefined;
    return parts.reduce((a, s) => a + (f(s) ?? 0) * s.processed, 0) / processed;
  };
  const seconds = sum(measuredSeconds);
  const out: PgbenchSummary = {
    processed,
    failed: parts.reduce((a, s) => a + s.failed, 0),
    aborted: parts.some((s) => s.aborted),
  };
  const fields: Partial<PgbenchSummary> = {
    transactionType: first?.transactionType,
    scalingFactor: first?.scalingFactor,
    queryMode: first?.queryMode,
    durationS: sum((s) => s.durationS),
    clients: max((s) => s.clients),
    threads: max((s) => s.threads),
    tps: seconds !== undefined && seconds > 0 ? processed / seconds : undefined,
    tpsBasis: parts.every((s) => s.tpsBasis === first?.tpsBasis) ? first?.tpsBasis : 'unknown',
    latencyAvgMs: weighted((s) => s.latencyAvgMs),
    averageConnectionMs: weighted((s) => s.averageConnectionMs),
    initialConnectionMs: sum((s) => s.initialConnectionMs),
    skipped: sum((s) => s.skipped),
    lateTransactions: sum((s) => s.lateTransactions),
    lagAvgMs: weighted((s) => s.lagAvgMs),
    lagMaxMs: max((s) => s.lagMaxMs),
  };
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) Object.assign(out, { [k]: v });
  return out;
}
