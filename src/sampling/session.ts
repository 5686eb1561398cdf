import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import type { Component, Endpoint, PgbouncerWorker } from '../stack/types.js';
import { PgActivitySampler } from './pg-activity.js';
import { PgbouncerAdminSampler } from './pgbouncer-admin.js';
import { poolProcesses, WorkersAdminSampler } from './pgbouncer-workers.js';
import { errorText, ProcSampler, type ProcTarget, systemConstants } from './proc.js';
import { scheduleTicks } from './schedule.js';
import { summarizeSamples } from './summary.js';
import {
  type GapSample,
  type PoolProcess,
  SAMPLES_FILE,
  type Sample,
  type SampleKind,
  type SamplingSummary,
} from './types.js';

export type SamplingOptions = {
  /**
   * Direct connection to PostgreSQL (not through the path under test). Absent for an external
   * stack without postgres_dsn: pg_stat_activity is then not sampled, and a warning says so.
   */
  postgres?: Endpoint;
  /** The benchmark database: server backends are counted for it. */
  database: string;
  /** PgBouncer's admin console, when PgBouncer is in the path. */
  pgbouncerAdmin?: Endpoint;
  /** The admin consoles of each worker (`workers: N > 1`): read one by one and summed per tick. */
  pgbouncerWorkerAdmins?: Endpoint[];
  /** With `pgbouncer_per_group`: each worker's process, whose pools are its own (poolProcesses). */
  pgbouncerProcesses?: PoolProcess[];
  /** Components whose process trees are sampled (those without a pid are skipped with a warning). */
  components: Component[];
  intervalMs: number;
  /** pgbench clients, for the multiplexing ratio. */
  clients: number;
  /** samples.jsonl is appended here. */
  cellDir: string;
  /** Wall clock in epoch ms (Date.now by default); schedules the ticks and stamps the samples. */
  now?: () => number;
  /**
   * Read PSS about this often (ms; 0 = never; default 10 s). smaps_rollup costs ~1.5 ms of CPU per
   * PostgreSQL process with 128 MB shared_buffers, against ~11 us for stat (docs/sampling.md).
   */
  pssIntervalMs?: number;
  /**
   * The measured duration (pgbench -T), when known. PSS is then read at least every durationMs / 3,
   * and a cell shorter than 4 intervals is sampled every durationMs / 4, so every cell, however
   * short, has at least 3 PSS readings of each component inside its window (see sampleIntervalFor).
   */
  durationMs?: number;
  /**
   * The PostgreSQL role of the config under test (src/stack/roles.ts). Server backends are then
   * counted for that role only, and client backends of other users are reported as foreign.
   */
  role?: string;
};

/** Only samples inside the window count in the summary (the time series keeps everything). */
export type SummaryWindow = { fromMs: number; toMs: number };

export interface SamplingSession {
  /** Absolute path of the time series. */
  readonly file: string;
  /** Stops the ticks, flushes the file, closes the connections. Never throws. */
  stop(window?: SummaryWindow): Promise<SamplingSummary>;
}

/** `postgres`, `pgbouncer:<config>`, `proxy:<config>`; a worker of several: `pgbouncer:<config>/worker-2`. */
export function componentKey(c: Pick<Component, 'role' | 'config' | 'name'>): string {
  const base = c.role === 'postgres' || c.config === undefined ? c.role : `${c.role}:${c.config}`;
  return c.name === undefined ? base : `${base}/${c.name}`;
}

/**
 * The sampling options of a path's PgBouncer processes: every admin console, and with
 * `pgbouncer_per_group` each process's key and group, so its pools are kept as its own. Pure.
 */
export function workerSampling(
  workers: readonly PgbouncerWorker[],
): Pick<SamplingOptions, 'pgbouncerWorkerAdmins' | 'pgbouncerProcesses'> {
  const processes = poolProcesses(
    workers.map((w) => ({
      key: componentKey(w.component),
      ...(w.group === undefined ? {} : { group: w.group }),
    })),
  );
  return {
    pgbouncerWorkerAdmins: workers.map((w) => w.admin),
    ...(processes ? { pgbouncerProcesses: processes } : {}),
  };
}

export const DEFAULT_PSS_INTERVAL_MS = 10_000;

/** No tick grid finer than this, whatever the cell's length. */
export const MIN_TICK_MS = 100;

/**
 * The tick interval actually used: the requested one, or durationMs / 4 (at least MIN_TICK_MS) for
 * a cell shorter than 4 intervals. The first tick precedes pgbench and the one at durationMs races
 * its end, so 4 slots are what guarantees 3 ticks inside the window (a 2 s cell at 1 s has 2).
 */
export function sampleIntervalFor(intervalMs: number, durationMs?: number): number {
  if (durationMs === undefined || !(durationMs > 0) || durationMs >= 4 * intervalMs) return intervalMs;
  return Math.min(intervalMs, Math.max(MIN_TICK_MS, Math.floor(durationMs / 4)));
}

/**
 * Every how many ticks PSS is read: 0 = never, else at least every tick. Rounded down, so PSS is
 * never read less often than asked; with durationMs the target is min(pssIntervalMs, durationMs / 3),
 * which puts at least 3 readings inside any window of at least 4 ticks (readings from the second
 * tick on, at ticks 2, 2 + k, 2 + 2k with k <= n / 3).
 */
export function pssEvery(pssIntervalMs: number, intervalMs: number, durationMs?: number): number {
  if (pssIntervalMs <= 0) return 0;
  const target =
    durationMs !== undefined && durationMs > 0 ? Math.min(pssIntervalMs, durationMs / 3) : pssIntervalMs;
  return Math.max(1, Math.floor(target / intervalMs));
}

let constants: ReturnType<typeof systemConstants> | undefined;

/** Components with a host PID become /proc targets; the others are named in a warning. */
function procTargets(
  components: readonly Component[],
  warnings: Set<string>,
): { roles: Record<string, string>; targets: ProcTarget[] } {
  const roles: Record<string, string> = {};
  const targets: ProcTarget[] = [];
  for (const c of components) {
    const key = componentKey(c);
    roles[key] = c.role;
    if (c.pid === undefined) warnings.add(`proc: ${key} has no host pid; its RSS and CPU are not sampled`);
    else targets.push({ key, role: c.role, pid: c.pid });
  }
  return { roles, targets };
}

/** One sampler's lines of a tick, or a gap line with its (scrubbed) error: a tick never throws. */
async function guarded(
  t: number,
  kind: SampleKind,
  take: () => Promise<Sample | Sample[]>,
  scrub: (text: string) => string,
): Promise<Sample[]> {
  try {
    const r = await take();
    return Array.isArray(r) ? r : [r];
  } catch (err) {
    const gap: GapSample = { t, kind, gap: true, error: scrub(errorText(err)) };
    return [gap];
  }
}

/**
 * Opens the samplers' dedicated connections (lazily, on the first tick) and takes one sample of
 * every kind at once, immediately and then every intervalMs (see scheduleTicks: no drift, no
 * overlap, a slot missed by a slow tick is a gap line of kind 'tick').
 */
export async function startSampling(opts: SamplingOptions): Promise<SamplingSession> {
  const now = opts.now ?? Date.now;
  if (!(opts.intervalMs > 0))
    throw new RangeError(`sampling interval must be > 0 ms, got ${opts.intervalMs}`);
  const interval = sampleIntervalFor(opts.intervalMs, opts.durationMs);
  await mkdir(opts.cellDir, { recursive: true });
  const file = path.resolve(opts.cellDir, SAMPLES_FILE);
  const out = await open(file, 'a');

  constants ??= systemConstants();
  const { clkTck, pageSize, warnings: constWarnings } = await constants;
  const warnings = new Set<string>(constWarnings);
  const { roles, targets } = procTargets(opts.components, warnings);

  // A sampler query may take up to this long before its tick records a gap and reconnects.
  const timeoutMs = Math.min(5000, Math.max(1000, interval));
  const activity = opts.postgres ? new PgActivitySampler(opts.postgres, opts.database, timeoutMs) : undefined;
  if (!activity)
    warnings.add(
      'pg_activity: no direct PostgreSQL endpoint (postgres_dsn); server backends were not sampled',
    );
  const bouncer = opts.pgbouncerWorkerAdmins
    ? new WorkersAdminSampler(opts.pgbouncerWorkerAdmins, timeoutMs, opts.pgbouncerProcesses)
    : opts.pgbouncerAdmin
      ? new PgbouncerAdminSampler(opts.pgbouncerAdmin, timeoutMs)
      : undefined;
  const proc = new ProcSampler({
    targets,
    clkTck,
    pageSize,
    pssEvery: pssEvery(opts.pssIntervalMs ?? DEFAULT_PSS_INTERVAL_MS, interval, opts.durationMs),
    exclude: () => new Set(activity?.backendPid === undefined ? [] : [activity.backendPid]),
  });

  // No driver error we know of quotes the password; this makes sure none ever reaches the results.
  const secrets = [opts.postgres?.password, opts.pgbouncerAdmin?.password].filter((p): p is string => !!p);
  const scrub = (text: string): string => secrets.reduce((t, s) => t.split(s).join('***'), text);

  const samples: Sample[] = [];
  const tickTimes: number[] = [];
  let writeFailed = false;

  const write = async (lines: Sample[]): Promise<void> => {
    samples.push(...lines);
    if (writeFailed || lines.length === 0) return;
    try {
      await out.appendFile(lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    } catch (err) {
      writeFailed = true;
      warnings.add(`sampling: writing ${file} failed (${errorText(err)}); the time series is incomplete`);
    }
  };

  const guard = (t: number, kind: SampleKind, take: () => Promise<Sample | Sample[]>) =>
    guarded(t, kind, take, scrub);

  // Every line of a tick carries the tick's start time, so a summary window takes or leaves a
  // tick whole; CPU and SHOW STATS deltas use their own monotonic read times.
  const tick = async (): Promise<void> => {
    const t = now();
    tickTimes.push(t);
    const parts = await Promise.all([
      activity ? guard(t, 'pg_activity', () => activity.sample(t)) : Promise.resolve([]),
      bouncer ? guard(t, 'pgbouncer', () => bouncer.sample(t)) : Promise.resolve([]),
      guard(t, 'proc', async () => proc.sample(t)),
    ]);
    await write(parts.flat());
  };

  const scheduler = scheduleTicks({
    intervalMs: interval,
    now,
    tick,
    skipped: (times) =>
      write(
        times.map((t): GapSample => ({ t, kind: 'tick', gap: true, error: 'previous tick still running' })),
      ),
  });

  let stopping: Promise<SamplingSummary> | undefined;
  const stop = (window?: SummaryWindow): Promise<SamplingSummary> => {
    stopping ??= (async () => {
      await scheduler.stop().catch((err) => warnings.add(`sampling: tick failed (${errorText(err)})`));
      await Promise.all([activity?.close(), bouncer?.close()]).catch(() => {});
      await out.close().catch((err) => warnings.add(`sampling: closing ${file} failed (${errorText(err)})`));
      for (const w of proc.warnings) warnings.add(w);
      const inside = (t: number) => !window || (t >= window.fromMs && t <= window.toMs);
      return summarizeSamples(
        samples.filter((s) => inside(s.t)),
        {
          intervalMs: interval,
          clients: opts.clients,
          database: opts.database,
          ticks: tickTimes.filter(inside).length,
          warnings: [...warnings],
          roles,
          pssErrors: Object.fromEntries(proc.pssErrors),
          ...(opts.role !== undefined ? { role: opts.role } : {}),
        },
      );
    })();
    return stopping;
  };

  return { file, stop };
}
