import type { Endpoint } from '../stack/types.js';
import { emptyPoolTotals, PgbouncerAdminSampler } from './pgbouncer-admin.js';
import { errorText } from './proc.js';
import type { PgbouncerSample, PgbouncerStatsDelta, PgbouncerWorkerShare } from './types.js';

/**
 * Sums the samples of several PgBouncer workers into one (pools listed per worker, totals summed,
 * maxwait the maximum, SHOW STATS deltas summed over the workers that have one) and keeps each
 * worker's share. Pure. A worker that could not be read is a share with its error; with none read
 * the caller records a gap.
 */
export function mergeWorkerSamples(
  t: number,
  parts: ReadonlyArray<{ worker: number; sample?: PgbouncerSample; error?: string }>,
): PgbouncerSample | undefined {
  const ok = parts.filter((p): p is { worker: number; sample: PgbouncerSample } => p.sample !== undefined);
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
    pools: ok.flatMap((p) => p.sample.pools),
    totals,
    ...(stats ? { stats } : {}),
    workers,
  };
}

/** The admin consoles of every worker (each through its unix socket), read in turn each tick. */
export class WorkersAdminSampler {
  readonly kind = 'pgbouncer' as const;
  private readonly samplers: PgbouncerAdminSampler[];

  constructor(admins: readonly Endpoint[], timeoutMs: number) {
    this.samplers = admins.map((a) => new PgbouncerAdminSampler(a, timeoutMs));
  }

  async sample(t: number): Promise<PgbouncerSample> {
    const parts = await Promise.all(
      this.samplers.map(async (s, i) => {
        try {
          return { worker: i + 1, sample: await s.sample(t) };
        } catch (e) {
          return { worker: i + 1, error: errorText(e) };
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
