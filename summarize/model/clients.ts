import { FAIRNESS_RULE, STARVED_FRACTION, STARVED_RULE } from '../../src/pgbench/clients.js';
import type { CompletedCell } from '../../src/results/types.js';
import type { ClientRowFigures, Row } from './row.js';

/**
 * Clients that waited for a server connection longer than this share of the cell (PgBouncer's
 * maxwait peak) did not take part in the closed-loop latency either.
 */
export const WAIT_SHARE = 0.1;

export const LATENCY_COVERAGE_RULE =
  'A closed-loop latency percentile is taken over the transactions that completed, so a client that waited for a connection ' +
  'contributes one late transaction, or none, however long it waited. ' +
  `A row's latency speaks for every client only when no client starved in any rep and PgBouncer's maxwait stayed below ${WAIT_SHARE * 100} % of the cell; ` +
  "otherwise it carries a warning and the TL;DR quotes none of its percentiles. A rate-limited run (rate:) measures the wait: pgbench's latency there includes the schedule lag.";

export const CLIENTS_RULES = {
  starved: STARVED_RULE,
  fairness: FAIRNESS_RULE,
  latency: LATENCY_COVERAGE_RULE,
};

/** The measured seconds of a cell: pgbench's own "duration", else -T from the argv. */
function durationMs(c: CompletedCell): number | undefined {
  if (c.summary.durationS !== undefined) return c.summary.durationS * 1000;
  const i = c.argv.indexOf('-T');
  const t = i >= 0 ? Number(c.argv[i + 1]) : Number.NaN;
  return Number.isFinite(t) ? t * 1000 : undefined;
}

/**
 * A group's per-client figures over its completed reps (ClientRowFigures), undefined when no rep
 * recorded them (an older bench). `maxwaitMsPeak`: the row's PgBouncer maxwait peak; `rateLimited`:
 * pgbench -R, whose latency includes the wait.
 */
export function clientRowFigures(
  completed: readonly CompletedCell[],
  o: { maxwaitMsPeak?: number | undefined; rateLimited: boolean },
): ClientRowFigures | undefined {
  const reps = completed.flatMap((c) => (c.clients ? [{ cell: c, f: c.clients }] : []));
  const first = reps[0];
  if (!first) return undefined;
  const jains = reps.flatMap((r) => (r.f.jain === undefined ? [] : [r.f.jain]));
  // The least fair rep: the lowest index, and a rep with no transaction at all before any other.
  const worst = reps.reduce((w, r) => ((r.f.jain ?? -1) < (w.f.jain ?? -1) ? r : w), first);
  const starvedMax = Math.max(...reps.map((r) => r.f.starved));
  const cellMs = Math.min(...reps.map((r) => durationMs(r.cell) ?? Number.POSITIVE_INFINITY));
  const waited = o.maxwaitMsPeak !== undefined && o.maxwaitMsPeak > WAIT_SHARE * cellMs;
  const { min, p10, median, max, mean } = worst.f;
  return {
    reps: reps.length,
    clients: Math.max(...reps.map((r) => r.f.clients)),
    servedMin: Math.min(...reps.map((r) => r.f.served)),
    starvedMax,
    starvedReps: reps.filter((r) => r.f.starved > 0).length,
    ...(jains.length > 0
      ? { jainMean: jains.reduce((a, b) => a + b, 0) / jains.length, jainMin: Math.min(...jains) }
      : {}),
    worstRep: worst.cell.rep,
    perClient: { min, p10, median, max, mean },
    latencyCoversAll: o.rateLimited || (starvedMax === 0 && !waited),
    // A rate offering the typical client fewer than 1 / STARVED_FRACTION transactions leaves clients
    // with none by schedule, not by waiting: their count cannot tell starvation (10k-clients.yaml).
    ...(o.rateLimited && Math.max(...reps.map((r) => r.f.typical)) < 1 / STARVED_FRACTION
      ? { tooFewToTell: true as const }
      : {}),
  };
}

/** The closed-loop latency of r may be quoted: no client starved or waited too long (or no figures). */
export function latencySpeaks(r: Row | undefined): boolean {
  return r?.clients?.latencyCoversAll !== false;
}

/** Every client of every rep was served (not starved); true when the run has no per-client figures. */
export function allServed(r: Row): boolean {
  const c = r.clients;
  return c === undefined || (c.starvedMax === 0 && c.servedMin === c.clients);
}
