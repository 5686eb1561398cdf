import { createWriteStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { EventSpec } from '../matrix/events.js';
import type { Cell } from '../matrix/expand.js';
import type { Workload } from '../matrix/workload.js';
import { countAbortedClients } from '../pgbench/aborted.js';
import { cellArgv, pgbenchEnv } from '../pgbench/argv.js';
import { parseProgressLine } from '../pgbench/progress.js';
import { countConnectionErrors, extractErrorLines, parseSummary } from '../pgbench/summary.js';
import { aggregateTxLog, findTxLogFiles, latencySecondsJson } from '../pgbench/txlog.js';
import { CELL_FILES } from '../results/paths.js';
import type {
  CellRecord,
  EventRecord,
  LatencySummary,
  PgbenchSummary,
  WorkersRecord,
} from '../results/types.js';
import { RESULTS_SCHEMA } from '../results/types.js';
import type { SamplingSession } from '../sampling/session.js';
import type { ConfigPath, PgbenchResult, Stack } from '../stack/types.js';
import { redact } from '../util/redact.js';
import { scheduleEvents, signalledComponents } from './events.js';
import { classifyCell } from './outcome.js';
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
  protocol: 'simple' | 'extended' | 'prepared';
  cellDir: string;
  keepRawLogs: boolean;
  prepared: string[];
  /** Overrides hangGraceMs(duration). */
  hangGraceMs?: number;
  /** Signals to send during the measured pgbench (src/runner/events.ts). */
  events?: EventSpec[];
}

export interface CellHooks {
  onProgress?: (tps: number, elapsedS: number) => void;
  /** Started just before the measured pgbench, stopped right after; returns the sampling summary. */
  startSampling?: () => Promise<SamplingSession>;
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

  const m = await measure(stack, plan, hooks, warnings);
  const { result } = m;
  await writeFile(path.join(plan.cellDir, CELL_FILES.stdout), redact(result.stdout));
  await writeFile(path.join(plan.cellDir, CELL_FILES.stderr), redact(result.stderr));

  const summary: PgbenchSummary | undefined =
    result.stdout.trim() === '' ? undefined : parseSummary(result.stdout, result.stderr);
  const latency = await summarizeTxLogs(plan.cellDir, plan.keepRawLogs, warnings);
  const errorLines = extractErrorLines(result.stderr);
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
    startedAt,
    endedAt: new Date().toISOString(),
    argv: m.argv,
    prepared,
    warnings,
    ...(m.sampling ? { sampling: m.sampling } : {}),
    ...(latency ? { latency } : {}),
    connectionErrors: countConnectionErrors(result.stderr),
    ...(aborted > 0 ? { abortedClients: aborted } : {}),
    ...(m.events ? { events: m.events } : {}),
    ...(m.workers ? { pgbouncerWorkers: m.workers } : {}),
  };
  // A component an event signalled may well be gone: that is the event, not a broken path.
  const signalled = signalledComponents(m.events ?? [], cfgPath.components);
  const disrupted = signalled.size > 0;
  const verdict = classifyCell({
    interrupted: result.aborted || hooks.signal?.aborted === true,
    timedOut: result.timedOut,
    exitCode: result.exitCode,
    signal: result.signal,
    summary,
    dead: cfgPath.components
      .filter((c) => !c.alive() && !signalled.has(c))
      .map((c) => `${c.role}${c.config ? `:${c.config}` : ''}${c.name ? `/${c.name}` : ''}`),
    disrupted,
    firstError: errorLines[0],
    elapsedMs: m.elapsedMs,
    plannedS: wholeSeconds(plan.durationMs),
  });
  if (verdict.state === 'completed') {
    if (result.exitCode === 2) warnings.push(disruptionNote(aborted));
    return { ...base, state: 'completed', exitCode: result.exitCode === 2 ? 2 : 0, summary: verdict.summary };
  }
  return {
    ...base,
    state: verdict.state,
    exitCode: result.exitCode,
    reason: verdict.reason,
    errorLines,
    ...(summary ? { summary } : {}),
  };
}

/** The unmeasured pgbench before a cell; returns the line for the cell's `prepared` list. */
async function warmup(stack: Stack, plan: CellPlan, hooks: CellHooks, warnings: string[]): Promise<string> {
  const warmS = wholeSeconds(plan.warmupMs);
  const endpoint = plan.path.endpoint;
  const w = await stack.pgbench.run({
    args: cellArgv({
      endpoint,
      workload: plan.workload,
      clients: plan.cell.concurrency,
      threads: plan.threads,
      durationS: warmS,
      protocol: plan.protocol,
    }),
    cwd: plan.cellDir,
    env: pgbenchEnv(endpoint),
    timeoutMs: warmS * 1000 + hangGraceMs(warmS * 1000),
    ...(hooks.signal ? { signal: hooks.signal } : {}),
  });
  if (w.exitCode !== 0 && !w.aborted)
    warnings.push(`warmup exited with ${w.exitCode}: ${extractErrorLines(w.stderr)[0] ?? ''}`);
  return `warmup ${warmS}s (exit ${w.exitCode})`;
}

/** Why a cell whose pgbench exited 2 after a scheduled event still counts. */
function disruptionNote(aborted: number): string {
  return (
    `pgbench exited with 2 after a scheduled event: ${aborted} client(s) aborted ` +
    '(pgbench does not reconnect a client whose connection failed); expected, gates decide'
  );
}

interface Measured {
  argv: string[];
  events?: EventRecord[];
  workers?: WorkersRecord;
  result: PgbenchResult;
  sampling: Awaited<ReturnType<SamplingSession['stop']>> | undefined;
  elapsedMs: number;
}

/** The measured pgbench, its progress lines to progress.jsonl and the samplers around it. */
async function measure(
  stack: Stack,
  plan: CellPlan,
  hooks: CellHooks,
  warnings: string[],
): Promise<Measured> {
  const durationS = wholeSeconds(plan.durationMs);
  const endpoint = plan.path.endpoint;
  const argv = cellArgv({
    endpoint,
    workload: plan.workload,
    clients: plan.cell.concurrency,
    threads: plan.threads,
    durationS,
    protocol: plan.protocol,
    logPrefix: LOG_PREFIX,
  });
  const progress = createWriteStream(path.join(plan.cellDir, CELL_FILES.progress));
  progress.on('error', (e) => warnings.push(`${CELL_FILES.progress} could not be written: ${e.message}`));
  const t0 = Date.now();
  const onStderr = (line: string) => {
    const p = parseProgressLine(line);
    if (!p) return;
    progress.write(`${JSON.stringify({ ...p, at: Date.now() })}\n`);
    hooks.onProgress?.(p.tps, p.t);
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
  const pgbenchStart = Date.now();
  const scheduled = plan.events?.length ? scheduleEvents(plan.events, plan.path, pgbenchStart) : undefined;
  let result: PgbenchResult;
  let sampling: Measured['sampling'];
  let events: EventRecord[] | undefined;
  try {
    result = await stack.pgbench.run({
      args: argv,
      cwd: plan.cellDir,
      env: pgbenchEnv(endpoint),
      onStderr,
      timeoutMs: durationS * 1000 + (plan.hangGraceMs ?? hangGraceMs(durationS * 1000)),
      ...(hooks.signal ? { signal: hooks.signal } : {}),
    });
  } finally {
    events = scheduled?.finish();
    await new Promise<void>((r) => progress.end(r));
    // Only samples taken while pgbench measured count in the summary; the series keeps everything.
    sampling = sampler ? await sampler.stop({ fromMs: t0, toMs: Date.now() }) : undefined;
  }
  if (sampling) warnings.push(...sampling.warnings);
  const workers = await watch?.end();
  return {
    argv,
    result,
    sampling,
    elapsedMs: Date.now() - t0,
    ...(events ? { events } : {}),
    ...(workers ? { workers } : {}),
  };
}

async function summarizeTxLogs(
  dir: string,
  keep: boolean,
  warnings: string[],
): Promise<LatencySummary | undefined> {
  const files = await findTxLogFiles(dir, LOG_PREFIX);
  if (files.length === 0) {
    warnings.push('no per-transaction log was written: no percentiles for this cell');
    return undefined;
  }
  const agg = await aggregateTxLog(files);
  if (agg.malformed > 0)
    warnings.push(`${agg.malformed} malformed lines in the per-transaction log were skipped`);
  await writeFile(path.join(dir, HISTOGRAM_FILE), JSON.stringify(agg.histogram.toJSON()));
  // The time series of the cell: the raw log is deleted below, so its seconds are kept here.
  await writeFile(path.join(dir, CELL_FILES.latencySeconds), JSON.stringify(latencySecondsJson(agg.seconds)));
  if (!keep) await Promise.all(files.map((f) => rm(f, { force: true })));
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
    startedAt: now,
    endedAt: now,
    argv: [],
    prepared: plan.prepared,
    warnings: [],
    state: 'failed',
    exitCode: null,
    reason,
    errorLines: [],
    connectionErrors: 0,
  };
}
