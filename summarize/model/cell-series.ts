import type { CellRecord } from '../../src/results/types.js';
import { num, obj } from './json-guards.js';

/**
 * The seconds of one cell on one time axis, from data the run already recorded: the per-second
 * figures of the per-transaction log (latency-seconds.json), pgbench's own -P lines
 * (progress.jsonl) and the samplers' series (samples.jsonl). Pure: the caller reads the files.
 *
 * t = 0 is the start of the measured pgbench; every point is placed at the end of the interval it
 * covers (pgbench -P reports "progress: 1.0 s" for the first second, a log second [s, s+1) is
 * drawn at s+1), so the points of all sources line up.
 */
export interface CellSeries {
  cellId: string;
  config: string;
  workload: string;
  concurrency: number;
  rep: number;
  /** Epoch ms at which the measured pgbench started: t = 0. */
  startMs: number;
  /** The planned measured duration, s (pgbench -T). */
  durationS: number;
  /** The warmup that ran before t = 0 (not sampled), s; 0 without warmup. */
  warmupS: number;
  points: SeriesPoint[];
  /** Sums over the log's seconds (the test that they equal the cell's totals reads these). */
  log?: LogSums;
  /**
   * A mix cell's client groups (docs/tenants.md) with per-second files: each group's sums over its
   * own seconds, in the cell's group order. Their series are in `points`, labelled with the name.
   */
  groups?: (LogSums & { name: string })[];
  /** Marked spans, e.g. the warmup; scheduled load profiles (issue 11) will add theirs here. */
  segments: Segment[];
  /** Instants to mark; scheduled events (issue 10, e.g. a pooler restart) will be listed here. */
  events: SeriesEvent[];
}

export interface LogSums {
  count: number;
  failed: number;
  skipped: number;
  seconds: number;
}

export interface SeriesPoint {
  panel: PanelId;
  series: string;
  /** Seconds since the measured pgbench started. */
  t: number;
  value: number;
}

export interface Segment {
  from: number;
  to: number;
  label: string;
}

export interface SeriesEvent {
  t: number;
  label: string;
}

/** The panels of the time-series plot, top to bottom: a short y-axis title and a panel title. */
export const PANELS = {
  tps: { axis: 'tx / s', title: 'throughput: transactions completed per second' },
  clients: {
    axis: 'clients',
    title:
      'active clients: clients that completed at least one transaction in that second (per-transaction log)',
  },
  latency: {
    axis: 'ms (log)',
    title: 'latency per second: p50 and p99 of that second (per-transaction log)',
  },
  failed: { axis: 'tx / s', title: 'failed transactions per second (and skipped ones under -L)' },
  wait: {
    axis: 'ms',
    title:
      "waiting: schedule lag per second (mean, pgbench -R) and PgBouncer's maxwait (oldest waiting client)",
  },
  backends: { axis: 'backends', title: "server backends of the config's role (pg_stat_activity)" },
  pgbouncer: { axis: 'connections', title: 'PgBouncer pools (SHOW POOLS, summed)' },
  cpu: { axis: 'cores', title: 'CPU per component (1 = one core busy)' },
  pss: { axis: 'MiB', title: 'memory per component (PSS)' },
} as const;
export type PanelId = keyof typeof PANELS;

export interface CellSeriesInput {
  cell: CellRecord;
  /** progress.jsonl text, if the file exists. */
  progress?: string;
  /** samples.jsonl text. */
  samples?: string;
  /** latency-seconds.json text. */
  latencySeconds?: string;
  /** Each client group's latency-seconds.<group>.json text, in the cell's group order (a mix cell). */
  groupSeconds?: readonly { name: string; text: string }[];
}

/** The series names a per-second file's figures are drawn under; undefined: not drawn. */
interface LogLabels {
  tps: string;
  clients?: string;
  p50: string;
  p99: string;
  failed?: string;
  skipped?: string;
  lag: string;
}

const CELL_LABELS: LogLabels = {
  tps: 'per-transaction log',
  clients: 'active clients',
  p50: 'p50',
  p99: 'p99',
  failed: 'failed',
  skipped: 'skipped (-L)',
  lag: 'schedule lag (mean)',
};

/**
 * A cell of more client groups than this (a `tenant: each` group's 1,000 copies) draws its total
 * only: a thousand lines in a panel show nothing. The groups' own figures are in their rows.
 */
export const MAX_GROUP_SERIES = 12;

/** Whether a cell of `groups` client groups draws each group's series (MAX_GROUP_SERIES). */
export function drawsGroupSeries(groups: number): boolean {
  return groups <= MAX_GROUP_SERIES;
}

/** A group's series beside the cell's total: its throughput, latency and (under -R) schedule lag. */
function groupLabels(name: string): LogLabels {
  return { tps: `${name} tps`, p50: `${name} p50`, p99: `${name} p99`, lag: `${name} schedule lag (mean)` };
}

type AddPoint = (panel: PanelId, series: string, t: number, value: number | undefined) => void;

/**
 * One per-second file's points (a log second [s, s+1) drawn at s+1 on the cell's axis) under
 * `labels`, and its sums over the seconds.
 */
function logSeconds(
  seconds: readonly unknown[],
  rel: (ms: number) => number,
  add: AddPoint,
  labels: LogLabels,
): LogSums {
  const sums: LogSums = { count: 0, failed: 0, skipped: 0, seconds: 0 };
  const addIf = (panel: PanelId, series: string | undefined, t: number, value: number | undefined) => {
    if (series !== undefined) add(panel, series, t, value);
  };
  for (const raw of seconds) {
    const s = obj(raw);
    const sec = num(s?.t);
    if (!s || sec === undefined) continue;
    const t = rel((sec + 1) * 1000);
    const count = num(s.count) ?? 0;
    const failed = num(s.failed) ?? 0;
    const skipped = num(s.skipped) ?? 0;
    sums.count += count;
    sums.failed += failed;
    sums.skipped += skipped;
    sums.seconds++;
    add('tps', labels.tps, t, count);
    addIf('clients', labels.clients, t, num(s.clients));
    add('latency', labels.p50, t, num(s.p50Ms));
    add('latency', labels.p99, t, num(s.p99Ms));
    addIf('failed', labels.failed, t, failed);
    add('wait', labels.lag, t, num(s.lagMeanMs));
    if (skipped > 0) addIf('failed', labels.skipped, t, skipped);
  }
  return sums;
}

/** JSON lines, skipping any that do not parse (a torn last line of a killed run). */
function jsonLines(text: string | undefined): Record<string, unknown>[] {
  if (text === undefined) return [];
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const o = obj(JSON.parse(line));
      if (o) out.push(o);
    } catch {
      // a torn line: the rest of the series still stands
    }
  }
  return out;
}

function parseJson(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    return obj(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/** `-T 10` from the argv, else pgbench's own "duration: 10 s". */
function durationOf(cell: CellRecord): number {
  const i = cell.argv.indexOf('-T');
  const fromArgv = i >= 0 ? Number(cell.argv[i + 1]) : Number.NaN;
  if (Number.isFinite(fromArgv)) return fromArgv;
  return cell.summary?.durationS ?? 0;
}

/** The runner's `warmup 5s (exit 0)` line of the prepared list. */
function warmupOf(cell: CellRecord): number {
  for (const line of cell.prepared ?? []) {
    const m = /^warmup (\d+)s\b/.exec(line);
    if (m) return Number(m[1]);
  }
  return 0;
}

const MIB = 1048576;

/**
 * The cell's TPS per -P interval. A cell run as several pgbench processes (docs/many-clients.md)
 * has one line per process and interval (`process: i`), all on the same `t` (each process starts
 * with the others and reports at the same offsets): the cell's rate is their sum. A process that
 * has ended adds nothing, as it completes nothing. Latency is left to the per-transaction log.
 */
function progressTps(progress: readonly Record<string, unknown>[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of progress) {
    const t = num(p.t);
    const tps = num(p.tps);
    if (t === undefined || tps === undefined) continue;
    // -P 1 (src/pgbench/argv.ts): one line per second. A chained segment's lines are shifted onto
    // the cell's axis by the segment's start (3.2, 4.2 for one started 2.23 s in); the nearest whole
    // second adds them to the other processes' lines of the same second.
    const key = Math.round(t);
    out.set(key, (out.get(key) ?? 0) + tps);
  }
  return out;
}

export function cellSeries(input: CellSeriesInput): CellSeries {
  const { cell } = input;
  const progress = jsonLines(input.progress);
  const samples = jsonLines(input.samples);
  const seconds = (parseJson(input.latencySeconds)?.seconds as unknown[] | undefined) ?? [];

  // pgbench's start: each -P line arrives just after its interval ends, so `at - t·1000` is a
  // little late for every line; the smallest is the closest. Without -P lines (a cell shorter
  // than a second) the first log second or the first sample stands in.
  const starts = progress.flatMap((p) => {
    const at = num(p.at);
    const t = num(p.t);
    return at !== undefined && t !== undefined ? [at - t * 1000] : [];
  });
  const firstSecond = num(obj(seconds[0])?.t);
  const firstSample = num(samples[0]?.t);
  const startMs =
    starts.length > 0
      ? Math.min(...starts)
      : firstSecond !== undefined
        ? firstSecond * 1000
        : (firstSample ?? Date.parse(cell.startedAt));
  const rel = (ms: number) => Math.round(ms - startMs) / 1000;
  const points: SeriesPoint[] = [];
  const add = (panel: PanelId, series: string, t: number, value: number | undefined) => {
    if (value !== undefined) points.push({ panel, series, t, value });
  };

  const log = seconds.length > 0 ? logSeconds(seconds, rel, add, CELL_LABELS) : undefined;
  const drawn = drawsGroupSeries(input.groupSeconds?.length ?? 0) ? (input.groupSeconds ?? []) : [];
  const groups = drawn.flatMap((g) => {
    const own = (parseJson(g.text)?.seconds as unknown[] | undefined) ?? [];
    return own.length > 0 ? [{ name: g.name, ...logSeconds(own, rel, add, groupLabels(g.name)) }] : [];
  });
  for (const [t, tps] of progressTps(progress)) add('tps', 'pgbench -P', t, tps);

  const role = obj(obj(cell.sampling)?.postgres)?.role;
  for (const s of samples) {
    const at = num(s.t);
    if (at === undefined || s.gap === true) continue;
    const t = rel(at);
    if (s.kind === 'pg_activity') {
      // The config's own role when the run attributes backends, else the whole database.
      const byRole = typeof role === 'string' ? obj(obj(s.databaseByUser)?.[role]) : undefined;
      const counts = byRole ?? (typeof role === 'string' && obj(s.databaseByUser) ? {} : obj(s.database));
      if (!counts) continue;
      add('backends', 'total', t, num(counts.total) ?? 0);
      add('backends', 'active', t, num(counts.active) ?? 0);
    } else if (s.kind === 'pgbouncer') {
      const tot = obj(s.totals);
      add('pgbouncer', 'cl_waiting', t, num(tot?.clWaiting));
      add('pgbouncer', 'sv_active', t, num(tot?.svActive));
      add('pgbouncer', 'sv_idle', t, num(tot?.svIdle));
      add('wait', 'maxwait', t, num(tot?.maxwaitMs));
    } else if (s.kind === 'proc' && typeof s.component === 'string') {
      add('cpu', s.component, t, num(s.cpuCores));
      const pss = num(s.pssBytes);
      if (pss !== undefined) add('pss', s.component, t, pss / MIB);
    }
  }

  const warmupS = warmupOf(cell);
  return {
    cellId: cell.id,
    config: cell.config,
    workload: cell.workload,
    concurrency: cell.concurrency,
    rep: cell.rep,
    startMs,
    durationS: durationOf(cell),
    warmupS,
    points,
    ...(log ? { log } : {}),
    ...(groups.length > 0 ? { groups } : {}),
    segments: warmupS > 0 ? [{ from: -warmupS, to: 0, label: `warmup ${warmupS} s (before sampling)` }] : [],
    events: seriesEvents(cell, startMs),
  };
}

/** The cell's fired events as marks on its time axis (t = seconds since the measured pgbench started). */
export function seriesEvents(cell: CellRecord, startMs: number): SeriesEvent[] {
  return (cell.events ?? [])
    .filter((e) => e.firedAt !== undefined)
    .map((e) => ({
      t: ((e.firedAt as number) - startMs) / 1000,
      label: `${e.action ?? e.signal ?? e.kind ?? 'event'} ${e.target}`,
    }));
}
