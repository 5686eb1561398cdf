import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type ClientFigures, clientFigures } from '../pgbench/clients.js';
import { aggregateTxLog, findTxLogFiles, latencySecondsJson, type TxLogAggregate } from '../pgbench/txlog.js';
import { CELL_FILES } from '../results/paths.js';
import type { LatencySummary } from '../results/types.js';
import { clientSlots } from './chain.js';
import type { PgbenchProcess } from './pgbench-processes.js';

/** The prefix a process logs under when it names none (a single-process, single-stream cell). */
export const LOG_PREFIX = 'pgbench_log';

/** A process's per-transaction log files, each tagged with the process's position for client ids. */
export type LogFile = { path: string; process: number };

/**
 * Every log file of these processes (client ids restart at 0 in every process, so each keeps its
 * own), tagged with its client slot: the segments of a group's profile run the same clients again,
 * so their files share one (src/runner/chain.ts; `clientSlots(processes).clients` are the slots' clients).
 */
export async function txLogFiles(dir: string, processes: readonly PgbenchProcess[]): Promise<LogFile[]> {
  const { slot } = clientSlots(processes);
  const found = await Promise.all(processes.map((p) => findTxLogFiles(dir, p.logPrefix ?? LOG_PREFIX)));
  return found.flatMap((paths, i) => paths.map((f) => ({ path: f, process: slot[i] ?? i })));
}

/** What one set of logs (a cell's, or one group's) yields, and where its histogram goes. */
export interface LogFigureOptions {
  dir: string;
  files: readonly LogFile[];
  /** Clients of each process, in the order of `files[].process`. */
  clientsPerProcess: number[];
  /** The logs carry pgbench -R's schedule_lag column. */
  lag: boolean;
  histogramFile: string;
  /**
   * Also write the per-second series here (the cell's latency-seconds.json, or a group's own): by
   * epoch second of completion, so every file of one cell shares its time axis.
   */
  secondsFile?: string;
  /** Also write the ms timeline of completions and failures (a cell with events: the outage figures). */
  timeline?: boolean;
  warnings: string[];
  /** Said before each warning (`group web: `). */
  prefix?: string;
}

/**
 * Latency figures (with the histogram, and the per-second file when asked for, written beside the
 * record) and the per-client figures of one set of per-transaction logs. Every file goes into one
 * histogram: the merge is exact (counts per microsecond add up).
 */
export async function txLogFigures(
  o: LogFigureOptions,
): Promise<{ latency?: LatencySummary; clients?: ClientFigures }> {
  const say = (w: string) => o.warnings.push(`${o.prefix ?? ''}${w}`);
  if (o.files.length === 0) {
    say('no per-transaction log was written: no percentiles for this cell');
    return {};
  }
  const agg = await aggregateTxLog(o.files, {
    lag: o.lag,
    clientsPerProcess: o.clientsPerProcess,
    timeline: o.timeline === true,
  });
  if (agg.malformed > 0) say(`${agg.malformed} malformed lines in the per-transaction log were skipped`);
  await writeFile(path.join(o.dir, o.histogramFile), JSON.stringify(agg.histogram.toJSON()));
  // The time series: the raw log is deleted afterwards, so its seconds are kept here.
  if (o.secondsFile !== undefined)
    await writeFile(path.join(o.dir, o.secondsFile), JSON.stringify(latencySecondsJson(agg.seconds)));
  if (agg.timeline) await writeFile(path.join(o.dir, CELL_FILES.timeline), JSON.stringify(agg.timeline));
  const clients = clientFigures(agg.clients);
  // A run refused at connect time leaves empty logs: no latency, rather than NaN figures that
  // the results reader rejects (and with them the failed cell's reason).
  if (agg.histogram.count === 0) {
    say('the per-transaction log holds no transaction: no percentiles for this cell');
    return { clients };
  }
  return { latency: latencyOf(agg, o.histogramFile), clients };
}

/** The raw logs go once every figure is taken from them, unless the matrix keeps them. */
export async function dropTxLogs(files: readonly LogFile[], keep: boolean): Promise<void> {
  if (!keep) await Promise.all(files.map((f) => rm(f.path, { force: true })));
}

function latencyOf(agg: TxLogAggregate, histogramFile: string): LatencySummary {
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
    histogramFile,
  };
}
