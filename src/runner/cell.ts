import { createWriteStream } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Cell } from '../matrix/expand.js';
import type { Workload } from '../matrix/workload.js';
import { cellArgv, pgbenchEnv } from '../pgbench/argv.js';
import { parseProgressLine } from '../pgbench/progress.js';
import { countConnectionErrors, extractErrorLines, parseSummary } from '../pgbench/summary.js';
import { aggregateTxLog, findTxLogFiles } from '../pgbench/txlog.js';
import type { CellRecord, LatencySummary, PgbenchSummary } from '../results/types.js';
import { RESULTS_SCHEMA } from '../results/types.js';
import type { SamplingSession } from '../sampling/session.js';
import type { ConfigPath, PgbenchResult, Stack } from '../stack/types.js';
import { redact } from '../util/redact.js';

export const HISTOGRAM_FILE = 'latency-histogram.json';
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

/**
 * Runs one cell: optional warmup, the measured pgbench with sampling around it, then parsing.
 * Never throws for a pgbench failure: every outcome becomes a record.
 */
export async function runCell(stack: Stack, plan: CellPlan, hooks: CellHooks): Promise<CellRecord> {
  const { cell, workload, path: cfgPath } = plan;
  const startedAt = new Date().toISOString();
  const durationS = Math.max(1, Math.round(plan.durationMs / 1000));
  const env = pgbenchEnv(cfgPath.endpoint);
  const warnings: string[] = [];
  const prepared = [...plan.prepared];

  if (plan.warmupMs > 0) {
    const warmS = Math.max(1, Math.round(plan.warmupMs / 1000));
    const wargs = cellArgv({
      endpoint: cfgPath.endpoint,
      workload,
      clients: cell.concurrency,
      threads: plan.threads,
      durationS: warmS,
      protocol: plan.protocol,
    });
    const w = await stack.pgbench.run({
      args: wargs,
      cwd: plan.cellDir,
      env,
      timeoutMs: warmS * 1000 + hangGraceMs(warmS * 1000),
      ...(hooks.signal ? { signal: hooks.signal } : {}),
    });
    prepared.push(`warmup ${warmS}s (exit ${w.exitCode})`);
    if (w.exitCode !== 0 && !w.aborted)
      warnings.push(`warmup exited with ${w.exitCode}: ${extractErrorLines(w.stderr)[0] ?? ''}`);
  }

  const argv = cellArgv({
    endpoint: cfgPath.endpoint,
    workload,
    clients: cell.concurrency,
    threads: plan.threads,
    durationS,
    protocol: plan.protocol,
    logPrefix: LOG_PREFIX,
  });
  const progress = createWriteStream(path.join(plan.cellDir, 'progress.jsonl'));
  progress.on('error', (e) => warnings.push(`progress.jsonl could not be written: ${e.message}`));
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
  let result: PgbenchResult;
  let sampling: Awaited<ReturnType<SamplingSession['stop']>> | undefined;
  try {
    result = await stack.pgbench.run({
      args: argv,
      cwd: plan.cellDir,
      env,
      onStderr,
      timeoutMs: durationS * 1000 + (plan.hangGraceMs ?? hangGraceMs(durationS * 1000)),
      ...(hooks.signal ? { signal: hooks.signal } : {}),
    });
  } finally {
    await new Promise<void>((r) => progress.end(r));
    // Only samples taken while pgbench measured count in the summary; the series keeps everything.
    sampling = sampler ? await sampler.stop({ fromMs: t0, toMs: Date.now() }) : undefined;
  }
  if (sampling) warnings.push(...sampling.warnings);
  const elapsedMs = Date.now() - t0;

  await writeFile(path.join(plan.cellDir, 'stdout.txt'), redact(result.stdout));
  await writeFile(path.join(plan.cellDir, 'stderr.txt'), redact(result.stderr));

  const summary: PgbenchSummary | undefined =
    result.stdout.trim() === '' ? undefined : parseSummary(result.stdout, result.stderr);
  const latency = await summarizeTxLogs(plan.cellDir, plan.keepRawLogs, warnings);
  const errorLines = extractErrorLines(result.stderr);
  const connectionErrors = countConnectionErrors(result.stderr);
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
    argv,
    prepared,
    warnings,
    ...(sampling ? { sampling } : {}),
  };

  const dead = cfgPath.components.filter((c) => !c.alive());
  const deadNote = dead.map((c) => `${c.role}${c.config ? `:${c.config}` : ''} died during the cell`);
  let failure: { state: 'failed' | 'timed-out' | 'interrupted'; reason: string } | undefined;
  if (result.aborted || hooks.signal?.aborted)
    failure = { state: 'interrupted', reason: 'interrupted by the user (SIGINT/SIGTERM)' };
  else if (result.timedOut)
    failure = {
      state: 'timed-out',
      reason: `pgbench still running ${Math.round(elapsedMs / 1000)} s after start (planned ${durationS} s); killed`,
    };
  else if (result.exitCode !== 0)
    failure = {
      state: 'failed',
      reason: [
        `pgbench exited with ${result.exitCode ?? result.signal}`,
        ...deadNote,
        ...(errorLines[0] ? [errorLines[0]] : []),
      ].join('; '),
    };
  else if (summary?.aborted)
    failure = { state: 'failed', reason: ['pgbench reported the run as aborted', ...deadNote].join('; ') };
  else if (!summary || summary.tps === undefined)
    failure = { state: 'failed', reason: 'pgbench printed no summary' };
  else if (deadNote.length > 0) failure = { state: 'failed', reason: deadNote.join('; ') };

  if (failure || !summary) {
    return {
      ...base,
      state: failure?.state ?? 'failed',
      exitCode: result.exitCode,
      reason: failure?.reason ?? 'pgbench printed no summary',
      errorLines,
      ...(summary ? { summary } : {}),
      ...(latency ? { latency } : {}),
      connectionErrors,
    };
  }
  return {
    ...base,
    state: 'completed',
    exitCode: 0,
    summary,
    ...(latency ? { latency } : {}),
    connectionErrors,
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
