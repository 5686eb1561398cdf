import type { Endpoint } from '../stack/types.js';
import { emptyPoolTotals, PgbouncerAdminSampler } from './pgbouncer-admin.js';
import { errorText } from './proc.js';
import type {
  PgbouncerPool,
  PgbouncerSample,
  PgbouncerStatsDelta,
  PgbouncerWorkerShare,
  PoolProcess,
} from './types.js';

/** One worker's tick: its sample or why it could not be read, and its process when it keeps its own pools. */
type WorkerPart = { worker: number; sample?: PgbouncerSample; error?: string; process?: PoolProcess };

/**
 * Sums the samples of several PgBouncer workers into one (pools listed per worker, totals summed,
 * maxwait the maximum, SHOW STATS deltas summed over the workers that have one) and keeps each
 * worker's share. Pure. A worker that could not be read is a share with its error; with none read
 * the caller records a gap. A part with a `process` (a `pgbouncer_per_group` process, whose pools
 * are its own) has its pools tagged with it, so the summary keeps them apart from the others'.
 */
export function mergeWorkerSamples(t: number, parts: readonly WorkerPart[]): PgbouncerSample | undefined {
  const ok = parts.filter((p): p is WorkerPart & { sample: PgbouncerSample } => p.sample !== undefined);
  if (ok.length === 0) return undefined;
  const totals = emptyPoolTotals();
  let stats: PgbouncerStatsDelta | undefined;
  for (const { sample } of ok) {
    for (const k of ['clActive', 'clWaiting', 'svActive', 'svIdle', 'svUsed', 'serverConnections'] as const)
      totals[k] += sample.totals[k];
    totals.maxwaitMs = Math.max(totals.maxwaitMs, sample.totals.maxwaitMs);
    const d = sample.stats;
    if (d) {
      stats = stats
        ? {
            dtMs: Math.max(stats.dtMs, d.dtMs),
            xacts: stats.xacts + d.xacts,
            queries: stats.queries + d.queries,
            waitTimeUs: stats.waitTimeUs + d.waitTimeUs,
          }
        : { ...d };
    }
  }
  const workers: PgbouncerWorkerShare[] = parts.map((p) =>
    p.sample
      ? {
          worker: p.worker,
          clActive: p.sample.totals.clActive,
          serverConnections: p.sample.totals.serverConnections,
          ...(p.sample.stats ? { xacts: p.sample.stats.xacts } : {}),
        }
      : { worker: p.worker, error: p.error ?? 'not read' },
  );
  return {
    t,
    kind: 'pgbouncer',
    pools: ok.flatMap((p) => tagged(p.sample.pools, p.process)),
    totals,
    ...(stats ? { stats } : {}),
    workers,
  };
}

const tagged = (pools: PgbouncerPool[], p: PoolProcess | undefined): PgbouncerPool[] =>
  p === undefined
    ? pools
    : pools.map((pool) => ({
        ...pool,
        process: p.process,
        ...(p.group === undefined ? {} : { group: p.group }),
      }));

/**
 * Which processes keep pools of their own: for `pgbouncer_per_group` (a worker with a group), each
 * process by its component key and group, in the workers' order; undefined for `workers: N`, whose
 * processes share each pool (the summary sums them). Pure.
 */
export function poolProcesses(
  workers: ReadonlyArray<{ group?: string; key: string }>,
): PoolProcess[] | undefined {
  if (!workers.some((w) => w.group !== undefined)) return undefined;
  return workers.map((w) => ({ process: w.key, ...(w.group === undefined ? {} : { group: w.group }) }));
}

/** The admin consoles of every worker (each through its unix socket), read in turn each tick. */
export class WorkersAdminSampler {
  readonly kind = 'pgbouncer' as const;
  private readonly samplers: PgbouncerAdminSampler[];

  /** `processes` (same order as `admins`): each process's pools are its own (poolProcesses). */
  constructor(
    admins: readonly Endpoint[],
    timeoutMs: number,
    private readonly processes?: readonly PoolProcess[],
  ) {
    this.samplers = admins.map((a) => new PgbouncerAdminSampler(a, timeoutMs));
  }

  async sample(t: number): Promise<PgbouncerSample> {
    const parts = await Promise.all(
      this.samplers.map(async (s, i): Promise<WorkerPart> => {
        const process = this.processes?.[i];
        const own = process ? { process } : {};
        try {
          return { worker: i + 1, sample: await s.sample(t), ...own };
        } catch (e) {
          return { worker: i + 1, error: errorText(e), ...own };
        }
      }),
    );
    const merged = mergeWorkerSamples(t, parts);
    if (!merged) throw new Error(`no PgBouncer worker answered (${parts.map((p) => p.error).join('; ')})`);
    return merged;
  }

  async close(): Promise<void> {
    await Promise.all(this.samplers.map((s) => s.close()));
  }
}
