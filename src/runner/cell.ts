import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CellEvent } from '../matrix/events.js';
import type { Cell } from '../matrix/expand.js';
import type { Protocol } from '../matrix/protocol.js';
import type { ConfigSpec } from '../matrix/schema.js';
import type { Workload } from '../matrix/workload.js';
import { countAbortedClients } from '../pgbench/aborted.js';
import type { ClientFigures } from '../pgbench/clients.js';
import type { StderrEventLog } from '../pgbench/stderr-events.js';
import { countConnectionErrors, extractErrorLines } from '../pgbench/summary.js';
import type { PgbenchSummary } from '../pgbench/types.js';
import { CELL_FILES } from '../results/paths.js';
import type {
  CancelCheckRecord,
  CellRecord,
  EventRecord,
  GroupRecord,
  LatencySummary,
  ProfileRecord,
  WorkersRecord,
} from '../results/types.js';
import { RESULTS_SCHEMA } from '../results/types.js';
import type { SamplingSession } from '../sampling/session.js';
import type { TlsObservation, TlsObserver } from '../sampling/tls-observe.js';
import { portPressure, timeWaitNow } from '../stack/tcp-states.js';
import type { Component, ConfigPath, PgbenchResult, Stack } from '../stack/types.js';
import { redact } from '../util/redact.js';
import type { CancelCheckSession } from './cancel-check.js';
import { clientSlots } from './chain.js';
import { eventFailure, scheduleEvents, signalledComponents } from './events.js';
import { explainLimitFailure, type LimitContext } from './limit-failure.js';
import { groupRecords, hasRate, mixProcesses } from './mix-cell.js';
import { classifyCell } from './outcome.js';
import {
  cellSummary,
  combineResults,
  errorText,
  type PgbenchProcess,
  pgbenchProcesses,
  runProcesses,
} from './pgbench-processes.js';
import type { GroupPlan } from './plan.js';
import { ProcessOutput } from './process-output.js';
import type { ProfileSession } from './profile-record.js';
import { dropTxLogs, LOG_PREFIX, txLogFigures, txLogFiles } from './txlog-figures.js';
import { watchWorkers } from './workers.js';

const HISTOGRAM_FILE = CELL_FILES.histogram;

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
  /** A mix's client groups (src/runner/plan.ts): each its own pgbench processes, all started together. */
  groups?: GroupPlan[];
}

export interface CellHooks {
  onProgress?: (tps: number, elapsedS: number) => void;
  /** Started just before the measured pgbench, stopped right after; returns the sampling summary. */
  startSampling?: () => Promise<SamplingSession>;
  /** Started with the measured pgbench when the run uses TLS: what each side negotiated. */
  observeTls?: () => TlsObserver;
  /** With `cancel_check: true`: cancel requests to a second client's long queries while pgbench runs. */
  checkCancels?: () => CancelCheckSession;
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

  const summary: PgbenchSummary | undefined = cellSummary(m.parts, m.processes);
  const connecting = connectingWarning(summary, wholeSeconds(plan.durationMs));
  if (connecting) warnings.push(connecting);
  const { latency, clients, groups } = await logFigures(plan, m, warnings);
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
    ...pathVersions(stack.postgresComponent, plan.path),
    startedAt,
    endedAt: new Date().toISOString(),
    argv: recordArgv(m.processes),
    ...(m.processes.length > 1 ? { pgbenchProcesses: processRecords(m) } : {}),
    prepared,
    warnings,
    ...(m.sampling ? { sampling: m.sampling } : {}),
    ...(m.tls ? { tls: m.tls } : {}),
    ...(latency ? { latency } : {}),
    ...(clients ? { clients } : {}),
    ...(groups ? { groups } : {}),
    ...(plan.workload.load ? { load: plan.workload.load } : {}),
    connectionErrors: countConnectionErrors(result.stderr),
    ...(timeWait ? { timeWait } : {}),
    ...(aborted > 0 ? { abortedClients: aborted } : {}),
    ...m.stderrEvents.record(),
    ...(m.events ? { events: m.events } : {}),
    ...(m.workers ? { pgbouncerWorkers: m.workers } : {}),
    ...(m.cancelCheck ? { cancelCheck: m.cancelCheck } : {}),
    ...(m.profile ? { profile: m.profile } : {}),
  };
  const verdict = eventVerdict(m, cfgPath, hooks, summary, errorLines[0], plan.durationMs, warnings);
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
 * The components that died during the cell though no event signalled them, by name; each one's last
 * log lines go into the warnings (a pooler's FATAL line says why it died).
 */
function deadComponents(
  components: readonly Component[],
  signalled: ReadonlySet<Component>,
  warnings: string[],
): string[] {
  const dead = components.filter((c) => !c.alive() && !signalled.has(c));
  return dead.map((c) => {
    const name = `${c.role}${c.config ? `:${c.config}` : ''}${c.name ? `/${c.name}` : ''}`;
    const tail = c.logTail(5).trim();
    if (tail !== '') warnings.push(`${name} died during the cell; its last log lines: ${redact(tail)}`);
    return name;
  });
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
  warnings: string[],
) {
  const { result } = m;
  const signalled = signalledComponents(m.events ?? [], cfgPath.components);
  return classifyCell({
    interrupted: result.aborted || hooks.signal?.aborted === true,
    timedOut: result.timedOut,
    exitCode: result.exitCode,
    signal: result.signal,
    summary,
    dead: deadComponents(cfgPath.components, signalled, warnings),
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
    await runProcesses(stack, processesOf(plan, warmS, undefined, false), {
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

/** The cell's processes; `chain: false` (the warmup) runs a group's profile as one pgbench at its first rate. */
function processesOf(plan: CellPlan, durationS: number, logPrefix?: string, chain = true): PgbenchProcess[] {
  const clientsPerProcess = plan.clientsPerProcess ?? Number.POSITIVE_INFINITY;
  if (plan.groups) {
    const o = { path: plan.path, groups: plan.groups, clientsPerProcess, protocol: plan.protocol };
    return mixProcesses(o, durationS, logPrefix, chain);
  }
  return pgbenchProcesses(
    {
      path: plan.path,
      workload: plan.workload,
      clients: plan.cell.concurrency,
      threads: plan.threads,
      clientsPerProcess,
      protocol: plan.protocol,
    },
    durationS,
    logPrefix,
  );
}

/** The cell's argv: its first process's that runs the whole cell (not a profile segment's `-T`). */
function recordArgv(procs: readonly PgbenchProcess[]): string[] {
  return (procs.find((p) => p.segment === undefined) ?? procs[0])?.argv ?? [];
}

/**
 * The versions the cell ran against, from the running processes: its PostgreSQL server's (SHOW
 * server_version) and its path's own components' (none known: no key).
 */
function pathVersions(postgres: Component, p: ConfigPath): { versions?: Record<string, string> } {
  const v = Object.fromEntries(
    [postgres, ...p.components].flatMap((c) => (c.version ? [[c.role, c.version] as const] : [])),
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
  cancelCheck?: CancelCheckRecord;
  profile?: ProfileRecord;
  result: PgbenchResult;
  sampling: Awaited<ReturnType<SamplingSession['stop']>> | undefined;
  tls?: TlsObservation;
  elapsedMs: number;
  /** When each process started, ms after the measured pgbench's start (a chain's segments start later). */
  startedAfterMs: Array<number | undefined>;
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
  const out = new ProcessOutput(processes, progress, hooks.onProgress);

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
  out.startMs = pgbenchStart;
  const scheduled =
    plan.events?.length && plan.config
      ? scheduleEvents(plan.events, {
          path: plan.path,
          stack,
          config: plan.config,
          startMs: pgbenchStart,
          log: hooks.log,
          ...(hooks.signal ? { signal: hooks.signal } : {}),
        })
      : undefined;
  let parts: PgbenchResult[];
  let sampling: Measured['sampling'];
  let events: EventRecord[] | undefined;
  const tlsObserver = hooks.observeTls?.();
  const cancels = hooks.checkCancels?.();
  let tls: TlsObservation | undefined;
  let profile: ProfileRecord | undefined;
  let cancelCheck: CancelCheckRecord | undefined;
  try {
    parts = await runProcesses(stack, processes, {
      cwd: plan.cellDir,
      path: plan.path,
      onStderr: out.onStderr,
      onStart: out.onStart,
      timeoutMs: durationS * 1000 + (plan.hangGraceMs ?? hangGraceMs(durationS * 1000)),
      signal: hooks.signal,
      events: scheduled !== undefined,
    });
  } finally {
    // The cancel check stops probing first, so that nothing below throwing leaves its loop running
    // with a client open; the probe in flight finishes while the rest stops.
    const cancelsStopped = cancels?.stop();
    // Handled here so a rejection while the rest stops is not an unhandled one; awaited below.
    cancelsStopped?.catch(() => undefined);
    try {
      events = await scheduled?.finish();
      await new Promise<void>((r) => progress.end(r));
      // Only samples taken while pgbench measured count in the summary; the series keeps everything.
      sampling = sampler ? await sampler.stop({ fromMs: t0, toMs: Date.now() }) : undefined;
      tls = await tlsObserver?.stop();
      profile = await profiler?.stop();
    } finally {
      cancelCheck = await cancelsStopped;
    }
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
    startedAfterMs: out.startedAfterMs,
    stderrEvents: out.stderrEvents,
    ...(events ? { events } : {}),
    ...(workers ? { workers } : {}),
    ...(cancelCheck ? { cancelCheck } : {}),
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

/**
 * The cell's per-transaction logs, over every process: latency (histogram and per-second files
 * beside the record) and per-client figures; for a mix, each group's from its own logs too. The
 * total has a lag only when every process ran under -R (the column is there in all its logs).
 */
async function logFigures(
  plan: CellPlan,
  m: Measured,
  warnings: string[],
): Promise<{ latency?: LatencySummary; clients?: ClientFigures; groups?: GroupRecord[] }> {
  const files = await txLogFiles(plan.cellDir, m.processes);
  const total = await txLogFigures({
    dir: plan.cellDir,
    files,
    clientsPerProcess: clientSlots(m.processes).clients,
    lag: m.processes.length > 0 && m.processes.every((p) => hasRate(p.argv)),
    // A cell with events: when transactions completed, to the ms (the outage figures read it).
    timeline: (plan.events?.length ?? 0) > 0,
    histogramFile: HISTOGRAM_FILE,
    secondsFile: CELL_FILES.latencySeconds,
    warnings,
  });
  const groups = plan.groups
    ? await groupRecords(
        {
          dir: plan.cellDir,
          path: plan.path,
          groups: plan.groups,
          logPrefix: LOG_PREFIX,
          warnings,
          startedAfterMs: m.startedAfterMs,
        },
        m.processes,
        m.parts,
      )
    : undefined;
  await dropTxLogs(files, plan.keepRawLogs);
  return { ...total, ...(groups ? { groups } : {}) };
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
