import { createWriteStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CellEvent } from '../matrix/events.js';
import type { Cell } from '../matrix/expand.js';
import type { Protocol } from '../matrix/protocol.js';
import type { ConfigSpec } from '../matrix/schema.js';
import type { Workload } from '../matrix/workload.js';
import { countAbortedClients } from '../pgbench/aborted.js';
import { type ClientFigures, clientFigures } from '../pgbench/clients.js';
import { parseProgressLine } from '../pgbench/progress.js';
import { StderrEventLog } from '../pgbench/stderr-events.js';
import { countConnectionErrors, extractErrorLines } from '../pgbench/summary.js';
import { aggregateTxLog, findTxLogFiles, latencySecondsJson, type TxLogAggregate } from '../pgbench/txlog.js';
import type { PgbenchSummary } from '../pgbench/types.js';
import { CELL_FILES } from '../results/paths.js';
import type {
  CellRecord,
  EventRecord,
  LatencySummary,
  ProfileRecord,
  WorkersRecord,
} from '../results/types.js';
import { RESULTS_SCHEMA } from '../results/types.js';
import type { SamplingSession } from '../sampling/session.js';
import type { TlsObservation, TlsObserver } from '../sampling/tls-observe.js';
import { portPressure, timeWaitNow } from '../stack/tcp-states.js';
import type { ConfigPath, PgbenchResult, Stack } from '../stack/types.js';
import { redact } from '../util/redact.js';
import { eventFailure, scheduleEvents, signalledComponents } from './events.js';
import { explainLimitFailure, type LimitContext } from './limit-failure.js';
import { classifyCell } from './outcome.js';
import {
  cellSummary,
  combineResults,
  errorText,
  type PgbenchProcess,
  pgbenchProcesses,
  runProcesses,
} from './pgbench-processes.js';
import type { ProfileSession } from './profile-record.js';
import { watchWorkers } from './workers.js';

const HISTOGRAM_FILE = CELL_FILES.histogram;
const LOG_PREFIX = 'pgbench_log';

export interface CellPlan {
  cell: Cell;
  workload: Workload;
  path: ConfigPath;
  threads: number;
  durationMs: number;
  warmupMs: number;
  protocol: Protocol;
  cellDir: string;
  keepRawLogs: boolean;
  prepared: string[];
  /** Overrides hangGraceMs(duration). */
  hangGraceMs?: number;
  /** The most clients one pgbench process holds (src/pgbench/split.ts); more run as several processes. */
  clientsPerProcess?: number;
  /** The limits this cell meets (max_connections, max_client_conn, ports, files), to explain a failure. */
  limitContext?: LimitContext;
  /** Events to fire during the measured pgbench (src/runner/events.ts). */
  events?: CellEvent[];
  /** The cell's config as the matrix gives it (its events' actions read it). */
  config?: ConfigSpec;
}

export interface CellHooks {
  onProgress?: (tps: number, elapsedS: number) => void;
  /** Started just before the measured pgbench, stopped right after; returns the sampling summary. */
  startSampling?: () => Promise<SamplingSession>;
  /** Started with the measured pgbench when the run uses TLS: what each side negotiated. */
  observeTls?: () => TlsObserver;
  /** With `profile: true`: perf record on the config's components, around the measured pgbench only. */
  profile?: () => Promise<ProfileSession>;
  signal?: AbortSignal;
  log: (msg: string) => void;
}

/** Grace past the planned duration before a pgbench is declared hung and killed. */
export function hangGraceMs(durationMs: number): number {
  return Math.max(30_000, durationMs / 2);
}

/** Whole seconds for pgbench -T (at least 1). */
function wholeSeconds(ms: number): number {
  return Math.max(1, Math.round(ms / 1000));
}

/**
 * Runs one cell: optional warmup, the measured pgbench with sampling around it, then parsing.
 * Never throws for a pgbench failure: every outcome becomes a record.
 */
export async function runCell(stack: Stack, plan: CellPlan, hooks: CellHooks): Promise<CellRecord> {
  const { cell, path: cfgPath } = plan;
  const startedAt = new Date().toISOString();
  const warnings: string[] = [];
  const prepared = [...plan.prepared];
  if (plan.warmupMs > 0) prepared.push(await warmup(stack, plan, hooks, warnings));

  const timeWaitBefore = timeWaitNow();
  const m = await measure(stack, plan, hooks, warnings);
  const timeWait = portsAfter(plan, timeWaitBefore, warnings);
  const { result } = m;
  await writeFile(path.join(plan.cellDir, CELL_FILES.stdout), redact(result.stdout));
  await writeFile(path.join(plan.cellDir, CELL_FILES.stderr), redact(result.stderr));

  const summary: PgbenchSummary | undefined = cellSummary(m.parts);
  const connecting = connectingWarning(summary, wholeSeconds(plan.durationMs));
  if (connecting) warnings.push(connecting);
  const { latency, clients } = await summarizeTxLogs(
    plan.cellDir,
    m.processes,
    plan.keepRawLogs,
    warnings,
    hasRate(m.processes[0]?.argv ?? []),
    (plan.events?.length ?? 0) > 0,
  );
  // From each process's own stderr: the joined file has a header line per process.
  const errorLines = extractErrorLines(errorText(m.parts));
  const aborted = countAbortedClients(result.stderr);
  const base = {
    schema: RESULTS_SCHEMA as typeof RESULTS_SCHEMA,
    id: cell.id,
    index: cell.index,
    config: cell.config,
    workload: cell.workload,
    concurrency: cell.concurrency,
    rep: cell.rep,
    threads: plan.threads,
    protocol: plan.protocol,
    ...pathVersions(plan.path),
    startedAt,
    endedAt: new Date().toISOString(),
    argv: m.processes[0]?.argv ?? [],
    ...(m.processes.length > 1 ? { pgbenchProcesses: processRecords(m) } : {}),
    prepared,
    warnings,
    ...(m.sampling ? { sampling: m.sampling } : {}),
    ...(m.tls ? { tls: m.tls } : {}),
    ...(latency ? { latency } : {}),
    ...(clients ? { clients } : {}),
    ...(plan.workload.load ? { load: plan.workload.load } : {}),
    connectionErrors: countConnectionErrors(result.stderr),
    ...(timeWait ? { timeWait } : {}),
    ...(aborted > 0 ? { abortedClients: aborted } : {}),
    ...m.stderrEvents.record(),
    ...(m.events ? { events: m.events } : {}),
    ...(m.workers ? { pgbouncerWorkers: m.workers } : {}),
    ...(m.profile ? { profile: m.profile } : {}),
  };
  const verdict = eventVerdict(m, cfgPath, hooks, summary, errorLines[0], plan.durationMs);
  const failedEvent = eventFailure(m.events ?? []);
  if (verdict.state === 'completed' && failedEvent) {
    const { exitCode } = result;
    return { ...base, state: 'failed', exitCode, reason: failedEvent, errorLines, summary: verdict.summary };
  }
  if (verdict.state === 'completed') {
    if (result.exitCode === 2) warnings.push(disruptionNote(aborted));
    return { ...base, state: 'completed', exitCode: result.exitCode === 2 ? 2 : 0, summary: verdict.summary };
  }
  const why =
    verdict.state === 'failed' ? explainLimitFailure(result.stderr, plan.limitContext) : clientsNote(clients);
  return {
    ...base,
    state: verdict.state,
    exitCode: result.exitCode,
    reason: [verdict.reason, ...(why ? [why] : []), ...(failedEvent ? [failedEvent] : [])].join('; '),
    errorLines,
    ...(summary ? { summary } : {}),
  };
}

/**
 * The cell's verdict (src/runner/outcome.ts) knowing its events: a component an event signalled may
 * well be gone (that is the event, not a broken path), and any operation that fired (a restart, a
 * KILL, a failover) may abort clients, whose exit 2 the gates judge.
 */
function eventVerdict(
  m: Measured,
  cfgPath: ConfigPath,
  hooks: CellHooks,
  summary: PgbenchSummary | undefined,
  firstError: string | undefined,
  durationMs: number,
) {
  const { result } = m;
  const signalled = signalledComponents(m.events ?? [], cfgPath.components);
  return classifyCell({
    interrupted: result.aborted || hooks.signal?.aborted === true,
    timedOut: result.timedOut,
    exitCode: result.exitCode,
    signal: result.signal,
    summary,
    dead: cfgPath.components
      .filter((c) => !c.alive() && !signalled.has(c))
      .map((c) => `${c.role}${c.config ? `:${c.config}` : ''}${c.name ? `/${c.name}` : ''}`),
    disrupted: signalled.size > 0 || (m.events ?? []).some((e) => e.firedAt !== undefined),
    firstError,
    elapsedMs: m.elapsedMs,
    plannedS: wholeSeconds(durationMs),
  });
}

/**
 * pgbench -T counts the time it spends connecting its clients (all of them, before the first
 * transaction when not -C), and its TPS leaves that time out: with thousands of clients the cell
 * measures only what is left. Said when it is more than a quarter of the cell.
 */
function connectingWarning(summary: PgbenchSummary | undefined, durationS: number): string | undefined {
  const ms = summary?.initialConnectionMs;
  if (ms === undefined || ms <= 0.25 * durationS * 1000) return undefined;
  const left = Math.max(0, durationS - ms / 1000);
  return `pgbench spent ${(ms / 1000).toFixed(1)} s of the ${durationS} s cell connecting its clients: TPS and latency cover the remaining ${left.toFixed(1)} s (lengthen duration for more)`;
}

/** TIME_WAIT sockets before and after the cell, and a warning when the port range ran short. */
function portsAfter(plan: CellPlan, before: number | undefined, warnings: string[]) {
  const after = timeWaitNow();
  if (before === undefined || after === undefined) return undefined;
  const usable = plan.limitContext?.ephemeralPorts;
  const w =
    usable === undefined
      ? undefined
      : portPressure({ timeWait: after, clients: plan.cell.concurrency, usable });
  if (w) warnings.push(w);
  return { before, after };
}

/** The unmeasured pgbench before a cell; returns the line for the cell's `prepared` list. */
async function warmup(stack: Stack, plan: CellPlan, hooks: CellHooks, warnings: string[]): Promise<string> {
  const warmS = wholeSeconds(plan.warmupMs);
  const w = combineResults(
    await runProcesses(stack, processesOf(plan, warmS), {
      cwd: plan.cellDir,
      path: plan.path,
      timeoutMs: warmS * 1000 + hangGraceMs(warmS * 1000),
      signal: hooks.signal,
    }),
  );
  if (w.exitCode !== 0 && !w.aborted)
    warnings.push(`warmup exited with ${w.exitCode}: ${extractErrorLines(w.stderr)[0] ?? ''}`);
  return `warmup ${warmS}s (exit ${w.exitCode})`;
}

function processesOf(plan: CellPlan, durationS: number, logPrefix?: string): PgbenchProcess[] {
  return pgbenchProcesses(
    {
      path: plan.path,
      workload: plan.workload,
      clients: plan.cell.concurrency,
      threads: plan.threads,
      clientsPerProcess: plan.clientsPerProcess ?? Number.POSITIVE_INFINITY,
      protocol: plan.protocol,
    },
    durationS,
    logPrefix,
  );
}

/** The versions of the path's own components, from their running processes (none: no key). */
function pathVersions(p: ConfigPath): { versions?: Record<string, string> } {
  const v = Object.fromEntries(
    p.components.flatMap((c) => (c.version ? [[c.role, c.version] as const] : [])),
  );
  return Object.keys(v).length > 0 ? { versions: v } : {};
}

/** Each process of a split cell: its share, argv and what it reported. */
function processRecords(m: Measured) {
  return m.processes.map((p, i) => ({
    clients: p.clients,
    threads: p.threads,
    argv: p.argv,
    exitCode: m.parts[i]?.exitCode ?? null,
    processed: cellSummary(m.parts.slice(i, i + 1))?.processed ?? 0,
  }));
}

/**
 * A cell that timed out with clients that completed nothing: said with the count, because a pooler
 * or proxy that accepts fewer sessions than clients (pgpool-II's num_init_children) holds pgbench's
 * start, which waits for every client to connect (docs/fairness.md).
 */
function clientsNote(c: ClientFigures | undefined): string | undefined {
  if (!c || c.served === c.clients) return undefined;
  return `the per-transaction log holds transactions of ${c.served} of ${c.clients} clients (as far as the stopped pgbench flushed it; pgbench starts only once every client connected, so a pooler or proxy that admits fewer sessions than clients holds it: docs/fairness.md)`;
}

/** Why a cell whose pgbench exited 2 after a scheduled event still counts. */
function disruptionNote(aborted: number): string {
  return (
    `pgbench exited with 2 after a scheduled event: ${aborted} client(s) aborted ` +
    '(pgbench does not reconnect a client whose connection failed); expected, gates decide'
  );
}

interface Measured {
  processes: PgbenchProcess[];
  parts: PgbenchResult[];
  events?: EventRecord[];
  workers?: WorkersRecord;
  profile?: ProfileRecord;
  result: PgbenchResult;
  sampling: Awaited<ReturnType<SamplingSession['stop']>> | undefined;
  tls?: TlsObservation;
  elapsedMs: number;
  /** pgbench's stderr lines of aborted clients and failed connections, stamped as they arrived. */
  stderrEvents: StderrEventLog;
}

/** The measured pgbench, its progress lines to progress.jsonl and the samplers around it. */
async function measure(
  stack: Stack,
  plan: CellPlan,
  hooks: CellHooks,
  warnings: string[],
): Promise<Measured> {
  const durationS = wholeSeconds(plan.durationMs);
  const processes = processesOf(plan, durationS, LOG_PREFIX);
  const progress = createWriteStream(path.join(plan.cellDir, CELL_FILES.progress));
  progress.on('error', (e) => warnings.push(`${CELL_FILES.progress} could not be written: ${e.message}`));
  const t0 = Date.now();
  // Several processes: each progress line says which one, and the display shows their sum.
  const latestTps = new Map<number, number>();
  const stderrEvents = new StderrEventLog();
  const onStderr = (proc: number, line: string) => {
    stderrEvents.add(proc, line, Date.now());
    const p = parseProgressLine(line);
    if (!p) return;
    const where = processes.length > 1 ? { process: proc } : {};
    progress.write(`${JSON.stringify({ ...p, ...where, at: Date.now() })}\n`);
    latestTps.set(proc, p.tps);
    hooks.onProgress?.(
      [...latestTps.values()].reduce((a, b) => a + b, 0),
      p.t,
    );
  };

  let sampler: SamplingSession | undefined;
  if (hooks.startSampling) {
    try {
      sampler = await hooks.startSampling();
    } catch (e) {
      warnings.push(`sampling could not start: ${(e as Error).message}`);
    }
  }
  const watch = await watchWorkers(plan.path).catch((e: unknown) => {
    warnings.push(`pgbouncer workers could not be read before the cell: ${(e as Error).message}`);
    return undefined;
  });
  const profiler = await startProfiler(hooks, warnings);
  const pgbenchStart = Date.now();
  const scheduled =
    plan.events?.length && plan.config
      ? scheduleEvents(plan.events, {
          path: plan.path,
          stack,
          config: plan.config,
          startMs: pgbenchStart,
          log: hooks.log,
        })
      : undefined;
  let parts: PgbenchResult[];
  let sampling: Measured['sampling'];
  let events: EventRecord[] | undefined;
  const tlsObserver = hooks.observeTls?.();
  let tls: TlsObservation | undefined;
  let profile: ProfileRecord | undefined;
  try {
    parts = await runProcesses(stack, processes, {
      cwd: plan.cellDir,
      path: plan.path,
      onStderr,
      timeoutMs: durationS * 1000 + (plan.hangGraceMs ?? hangGraceMs(durationS * 1000)),
      signal: hooks.signal,
      events: scheduled !== undefined,
    });
  } finally {
    events = await scheduled?.finish();
    await new Promise<void>((r) => progress.end(r));
    // Only samples taken while pgbench measured count in the summary; the series keeps everything.
    sampling = sampler ? await sampler.stop({ fromMs: t0, toMs: Date.now() }) : undefined;
    tls = await tlsObserver?.stop();
    profile = await profiler?.stop();
  }
  if (sampling) warnings.push(...sampling.warnings);
  for (const c of profile?.components ?? [])
    if (c.error) warnings.push(`profile of ${c.component}: ${c.error}`);
  const workers = await watch?.end();
  return {
    processes,
    parts,
    result: combineResults(parts),
    sampling,
    ...(tls ? { tls } : {}),
    elapsedMs: Date.now() - t0,
    stderrEvents,
    ...(events ? { events } : {}),
    ...(workers ? { workers } : {}),
    ...(profile ? { profile } : {}),
  };
}

/** The profiler, attached before the measured pgbench starts; a failure to start is a warning. */
async function startProfiler(hooks: CellHooks, warnings: string[]): Promise<ProfileSession | undefined> {
  try {
    return await hooks.profile?.();
  } catch (e) {
    warnings.push(`profiling could not start: ${(e as Error).message}`);
    return undefined;
  }
}

/** pgbench -R (from `rate:`, a profile, or the workload's own flags): the log has a schedule_lag column. */
function hasRate(argv: readonly string[]): boolean {
  return argv.some((a) => a === '-R' || a.startsWith('--rate') || /^-R\d/.test(a));
}

/**
 * The cell's per-transaction logs: latency figures (with the histogram and per-second files written
 * beside the record) and the per-client figures, over every process of the cell.
 */
async function summarizeTxLogs(
  dir: string,
  processes: readonly PgbenchProcess[],
  keep: boolean,
  warnings: string[],
  lag: boolean,
  timeline: boolean,
): Promise<{ latency?: LatencySummary; clients?: ClientFigures }> {
  // Every process's files into one histogram: the merge is exact (counts per microsecond add up).
  // Each file keeps its process: client ids restart at 0 in every process.
  const found = await Promise.all(processes.map((p) => findTxLogFiles(dir, p.logPrefix ?? LOG_PREFIX)));
  const files = found.flatMap((paths, process) => paths.map((f) => ({ path: f, process })));
  if (files.length === 0) {
    warnings.push('no per-transaction log was written: no percentiles for this cell');
    return {};
  }
  const agg = await aggregateTxLog(files, {
    lag,
    clientsPerProcess: processes.map((p) => p.clients),
    timeline,
  });
  if (agg.malformed > 0)
    warnings.push(`${agg.malformed} malformed lines in the per-transaction log were skipped`);
  await writeFile(path.join(dir, HISTOGRAM_FILE), JSON.stringify(agg.histogram.toJSON()));
  // The time series of the cell: the raw log is deleted below, so its seconds are kept here.
  await writeFile(path.join(dir, CELL_FILES.latencySeconds), JSON.stringify(latencySecondsJson(agg.seconds)));
  // A cell with events: when transactions completed, to the ms (the outage figures read it).
  if (agg.timeline) await writeFile(path.join(dir, CELL_FILES.timeline), JSON.stringify(agg.timeline));
  if (!keep) await Promise.all(files.map((f) => rm(f.path, { force: true })));
  const clients = clientFigures(agg.clients);
  const h = agg.histogram;
  // A run refused at connect time leaves empty logs: no latency, rather than NaN figures that
  // the results reader rejects (and with them the failed cell's reason).
  if (h.count === 0) {
    warnings.push('the per-transaction log holds no transaction: no percentiles for this cell');
    return { clients };
  }
  return { latency: latencyOf(agg), clients };
}

function latencyOf(agg: TxLogAggregate): LatencySummary {
  const h = agg.histogram;
  const ms = (us: number) => us / 1000;
  return {
    count: h.count,
    failed: agg.failed,
    skipped: agg.skipped,
    meanMs: ms(h.mean),
    minMs: ms(h.min),
    p50Ms: ms(h.percentile(50)),
    p90Ms: ms(h.percentile(90)),
    p95Ms: ms(h.percentile(95)),
    p99Ms: ms(h.percentile(99)),
    p999Ms: ms(h.percentile(99.9)),
    maxMs: ms(h.max),
    ...(agg.lag ? { lag: { meanMs: agg.lag.meanMs, p99Ms: agg.lag.p99Ms, maxMs: agg.lag.maxMs } } : {}),
    histogramFile: HISTOGRAM_FILE,
  };
}

/** The record of a cell the runner refused to start (the reason says why); never averaged. */
export function cellNotRun(plan: CellPlan, reason: string): CellRecord {
  const { cell } = plan;
  const now = new Date().toISOString();
  return {
    schema: RESULTS_SCHEMA,
    id: cell.id,
    index: cell.index,
    config: cell.config,
    workload: cell.workload,
    concurrency: cell.concurrency,
    rep: cell.rep,
    threads: plan.threads,
    protocol: plan.protocol,
    startedAt: now,
    endedAt: now,
    argv: [],
    prepared: plan.prepared,
    warnings: [],
    ...(plan.workload.load ? { load: plan.workload.load } : {}),
    state: 'failed',
    exitCode: null,
    reason,
    errorLines: [],
    connectionErrors: 0,
  };
}
