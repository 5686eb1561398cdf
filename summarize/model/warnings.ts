import { ABORTED_TPS } from './aborted.js';
import { fmtCores, fmtInt, fmtPct, fmtTps } from './format.js';
import type { GroupKey, Row, Thresholds, Warning, WarningDraft } from './row.js';
import { OUTLIER_RULE } from './stats.js';

function where(k: GroupKey): string {
  const group = k.group === undefined ? '' : ` / group ${k.group}`;
  return `${k.config} / ${k.workload} / ${k.concurrency} client${k.concurrency === 1 ? '' : 's'}${group}`;
}

type Emit = (kind: Warning['kind'], message: string, hint: string, cells?: string[]) => void;

/** What the figures add to a row's warnings (figures/index.ts figureWarnings), after the row's own. */
export type FigureWarnings = (row: Row, t: Thresholds) => WarningDraft[];

/** Every warning a row earns, each with a hint of what to change. */
export function rowWarnings(row: Row, t: Thresholds, hostCpus?: number, figures?: FigureWarnings): Warning[] {
  const out: Warning[] = [];
  const key: GroupKey = {
    config: row.config,
    workload: row.workload,
    concurrency: row.concurrency,
    ...(row.group === undefined ? {} : { group: row.group }),
  };
  const w: Emit = (kind, message, hint, cells) =>
    out.push({ kind, message: `${where(key)}: ${message}`, hint, group: key, ...(cells ? { cells } : {}) });

  if (row.failedCells.length > 0) {
    const states = row.failedCells.map((c) => `rep ${c.rep} ${c.state}: ${c.reason}`).join('; ');
    w(
      'failed-cells',
      `${row.failedCells.length} cell(s) did not complete (${states}); they are listed, not averaged`,
      "Read the cells' stderr.txt; rerun only those cells and merge the runs with `bench summarize <run> <rerun>`.",
      row.failedCells.map((c) => c.cellId),
    );
  }
  if (row.repsCompleted === 0) {
    w(
      'no-completed-reps',
      'no rep completed, so there are no figures for this group',
      'Fix the cause of the failures above and rerun the group.',
    );
    return out;
  }
  spreadWarnings(row, t, w);
  failureWarnings(row, w);
  resourceWarnings(row, t, w, hostCpus);
  for (const d of figures?.(row, t) ?? []) w(d.kind, d.message, d.hint, d.cells);
  return out;
}

/** Too few reps, too much spread, outlying reps. */
function spreadWarnings(row: Row, t: Thresholds, w: Emit): void {
  if (row.repsCompleted < t.minReps) {
    const of = row.repsPlanned !== undefined ? ` of ${row.repsPlanned} planned` : '';
    w(
      'few-reps',
      row.repsCompleted < 2
        ? `1 completed rep${of}: no standard deviation, no confidence interval`
        : `${row.repsCompleted} completed reps${of} (fewer than ${t.minReps}): the 95% confidence interval is too wide to support a comparison`,
      `Use --reps ${t.minReps} or more before comparing configs whose difference is small.`,
    );
  }
  if (row.tps.n >= 2 && row.tps.cv > t.cv) {
    w(
      'high-cv',
      `TPS varies by ${fmtPct(row.tps.cv)} (CV) over ${row.tps.n} reps, more than ${fmtPct(t.cv, 0)}: differences smaller than that are noise`,
      'Lengthen --duration, add reps, add warmup, and keep other load off the machine (see the outlier rep, if any).',
    );
  }
  const outliers = row.samples.filter((s) => s.outlier);
  if (outliers.length > 0) {
    w(
      'outlier-rep',
      `rep(s) ${outliers.map((s) => `${s.rep} (${fmtTps(s.tps)} tps)`).join(', ')} lie ${OUTLIER_RULE}`,
      'Something else ran on the machine or the cell started cold: rerun with warmup, or check the cell logs for that rep.',
      outliers.map((s) => s.cellId),
    );
  }
}

/** Failed transactions, connection errors, aborted reps, missing latency. */
function failureWarnings(row: Row, w: Emit): void {
  if (row.failedTransactions > 0) {
    w(
      'failed-transactions',
      `${fmtInt(row.failedTransactions)} failed transaction(s) over ${row.repsCompleted} completed rep(s)`,
      'Serialization or deadlock failures are expected under contention with tpcb; otherwise read stderr.txt. Gate with gates.max_failed_transactions.',
    );
  }
  if (row.connectionErrors > 0) {
    w(
      'connection-errors',
      `${fmtInt(row.connectionErrors)} connection error(s)`,
      'The pooler or server refused clients: check max_client_conn, max_connections and the pool sizes against the concurrency.',
    );
  }
  if (row.abortedReps > 0 || (row.abortedClients ?? 0) > 0) {
    const clients = (row.abortedClients ?? 0) > 0 ? `${fmtInt(row.abortedClients)} client(s) in ` : '';
    w(
      'aborted',
      `pgbench aborted ${clients}${row.abortedReps} rep(s) ("Run was aborted; the above results are incomplete"): ${ABORTED_TPS}`,
      'A client lost its connection and pgbench never reconnects it; the figures cover only part of the run. Read stderr.txt of those cells.',
    );
  }
  if (row.latency && row.latency.reps < row.repsCompleted) {
    w(
      'latency-incomplete',
      `latency percentiles cover ${row.latency.reps} of ${row.repsCompleted} completed reps (histograms missing)`,
      'Check that the cells have their latency histogram file; rerun the cells that lack it.',
    );
  } else if (!row.latency && row.samples.length > 0) {
    w(
      'latency-incomplete',
      'no latency percentiles: no per-transaction histogram was recorded',
      'Run with per-transaction logging (the default) so percentiles can be computed.',
    );
  }
}

/** CPU saturation, PSS not read, other users' backends, the whole machine busy. */
function resourceWarnings(row: Row, t: Thresholds, w: Emit, hostCpus: number | undefined): void {
  for (const c of row.sampling?.components ?? []) {
    // postgres is a tree of processes that may use every core; saturation of one core matters for
    // the single-threaded tiers: PgBouncer, and a proxy (which may be single-threaded too).
    if (c.role === 'postgres' || c.cpuCoresMean === undefined || c.cpuCoresMean < t.cpuSaturationCores)
      continue;
    w(
      'cpu-saturated',
      `${c.name} used ${fmtCores(c.cpuCoresMean)} cores on average${c.role === 'pgbouncer' ? ' (PgBouncer is single-threaded: it is the bottleneck here)' : ''}`,
      c.role === 'pgbouncer'
        ? 'The pooler saturates its one core, so its TPS is capped there. Compare at lower concurrency, or run several PgBouncer processes (so_reuseport).'
        : `${c.name} is near a full core: if it is single-threaded it caps the TPS. Check its threads, or give it more cores.`,
    );
  }
  for (const c of row.sampling?.components ?? []) {
    const miss = c.pssMissing;
    if (!miss) continue;
    const of = `${miss.reps} of ${row.repsCompleted} completed rep${row.repsCompleted === 1 ? '' : 's'}`;
    w(
      'pss-missing',
      `the PSS (proportional memory) of ${c.name} was not read in ${of}${miss.reason ? ` (${miss.reason})` : ' (no reading fell inside the cell)'}; its memory figure ${miss.reps === row.repsCompleted ? 'is missing' : 'covers the other reps only'}, and the RSS sum counts shared pages once per process`,
      miss.reason
        ? "smaps_rollup of another user's process needs CAP_SYS_PTRACE: run the harness as the user that owns the component's processes (or with that capability)."
        : 'Runs from an older bench read PSS every 10 s only; rerun with the current bench, which reads it at least 3 times per cell.',
    );
  }
  const foreign = row.sampling?.foreignBackendsPeak;
  if (foreign !== undefined && foreign > 0) {
    w(
      'foreign-backends',
      `the samplers saw up to ${fmtInt(foreign)} client backend(s) of other users than ${row.sampling?.role ?? "the config's role"} during the cells`,
      'Something else used the server while this config was measured (another config, a stray client): its TPS and memory may include that load. Check pg_stat_activity, then rerun the group.',
    );
  }
  const total = (row.sampling?.components ?? []).reduce((a, c) => a + (c.cpuCoresMean ?? 0), 0);
  if (hostCpus !== undefined && hostCpus > 0 && total >= t.cpuSaturationCores * hostCpus) {
    w(
      'cpu-saturated',
      `the sampled components used ${fmtCores(total)} of the host's ${hostCpus} cores on average (pgbench not counted)`,
      'Client, pooler and server compete for the same cores: the figures measure the machine as much as the path. Run pgbench on another machine, or give each tier its own cores.',
    );
  }
}

/** Warnings from reading the run directories, made typed. */
export function readerWarnings(messages: readonly string[]): Warning[] {
  return messages.map((message) => ({
    kind: 'reader' as const,
    message,
    hint: 'The run was probably interrupted while writing; rerun the missing cells and merge the runs.',
  }));
}

/**
 * For display: the same warning (same kind, text and hint) on many groups becomes one line naming
 * the groups, so twelve "1 completed rep" warnings do not bury the one that matters. summary.json
 * keeps every warning as it is.
 */
export function collapseWarnings(warnings: readonly Warning[], atLeast = 3): Warning[] {
  const body = (w: Warning) => (w.group ? w.message.slice(where(w.group).length + 2) : w.message);
  const buckets = new Map<string, Warning[]>();
  for (const w of warnings) {
    const key = w.group ? `${w.kind}\u0000${body(w)}\u0000${w.hint}` : `\u0001${buckets.size}`;
    buckets.set(key, [...(buckets.get(key) ?? []), w]);
  }
  const out: Warning[] = [];
  for (const ws of buckets.values()) {
    const first = ws[0] as Warning;
    if (ws.length < atLeast) {
      out.push(...ws);
      continue;
    }
    const names = ws.map((w) => (w.group ? where(w.group) : ''));
    const shown = names.slice(0, 4).join('; ');
    const more = names.length > 4 ? `; and ${names.length - 4} more` : '';
    const cells = ws.flatMap((w) => w.cells ?? []);
    out.push({
      kind: first.kind,
      message: `${ws.length} groups: ${body(first)} (${shown}${more})`,
      hint: first.hint,
      ...(cells.length > 0 ? { cells } : {}),
    });
  }
  return out;
}
