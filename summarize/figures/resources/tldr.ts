import { allServed } from '../../model/clients.js';
import type { Row } from '../../model/row.js';
import { type Candidate, candidate, type RuleContext, TIER } from '../../tldr/candidate.js';
import { groupRowsOf } from '../../tldr/pair-row.js';
import { clientCount, pgIndex, sentence, subject } from '../../tldr/refs.js';

/** The TL;DR rules of the sampled resources: the hottest tier's CPU, the backends pooling saved, PostgreSQL's memory. */

/** The single-threaded tier closest to saturating its core (postgres may use every core). */
export function cpuRule(c: RuleContext): Candidate[] {
  const hot = c.completed.flatMap((r) =>
    (r.sampling?.components ?? []).flatMap((comp, j) =>
      comp.role !== 'postgres' && (comp.cpuCoresMean ?? 0) >= c.cpuSaturationCores
        ? [{ r, comp, j, cores: comp.cpuCoresMean as number }]
        : [],
    ),
  );
  const top = hot.sort((x, y) => y.cores - x.cores)[0];
  if (!top) return [];
  const a = c.R(top.r);
  return candidate(
    sentence(
      'cpu',
      `${top.comp.name} used {0} cores on average on ${subject(top.r)} at {1} clients: it is CPU-bound there.`,
      [a.cpu(top.j), a.clients()],
    ),
    TIER.cpu,
    top.cores,
  );
}

/** Every client of r was served, and, on a mix's total row, every client of each of its groups too. */
function everyGroupServed(c: RuleContext, r: Row): boolean {
  return allServed(r) && groupRowsOf(c.rows, r).every(allServed);
}

/**
 * Multiplexing: the pooled row serving the most clients per server backend (fewer backends than
 * clients, and than the baseline at the same point when it was sampled), at its highest concurrency.
 */
function multiplexed(c: RuleContext): Row | undefined {
  const backends = (r: Row | undefined) => r?.sampling?.serverBackendsPeak;
  const pooled = c.completed.filter((r) => {
    const n = backends(r) ?? 0;
    const base = backends(c.baseRow(r));
    return (
      !r.isBaseline &&
      // "served N clients" only when all N were (model/clients.ts), in every group of a mix.
      everyGroupServed(c, r) &&
      r.configKind !== 'direct' &&
      n > 0 &&
      clientCount(r) > n &&
      (base === undefined || base > n)
    );
  });
  const perBackend = (r: Row) => clientCount(r) / (r.sampling?.serverBackendsPeak ?? 1);
  return pooled.sort((x, y) => perBackend(y) - perBackend(x) || y.concurrency - x.concurrency)[0];
}

export function backendsRule(c: RuleContext): Candidate[] {
  const r = multiplexed(c);
  if (!r) return [];
  const a = c.R(r);
  return candidate(
    sentence(
      'backends',
      `${r.config} served {0} clients on ${subject(r)} with at most {1} server backends.`,
      [a.clients(), a.backends()],
    ),
    TIER.backends,
  );
}

/** PostgreSQL's memory (PSS) through the most multiplexed pooled row against the baseline. */
export function memoryRule(c: RuleContext): Candidate[] {
  const r = multiplexed(c);
  const b = r ? c.baseRow(r) : undefined;
  if (!r || !b) return [];
  const j = pgIndex(r);
  const bj = pgIndex(b);
  if (j < 0 || bj < 0) return [];
  const a = c.R(r);
  const bb = c.R(b);
  // The marginal memory of a backend (slope over the client counts run), never the fixed memory
  // divided by few backends: with one client count there is no slope and no per-backend figure.
  const perBackend =
    r.sampling?.pssPerBackendSlope !== undefined && b.sampling?.pssPerBackendSlope !== undefined;
  const tiers = (r.sampling?.components ?? []).flatMap((comp, k) =>
    comp.role !== 'postgres' && typeof comp.pssPeakBytes === 'number' ? [{ name: comp.name, k }] : [],
  );
  let n = 5;
  const tierText = tiers.map((t) => `; ${t.name} itself {${n++}} MiB`).join('');
  const pbText = perBackend
    ? `; one more server backend cost PostgreSQL {${n}} vs {${n + 1}} MiB (slope of PSS against server backends over the client counts run)`
    : '';
  return candidate(
    sentence(
      'memory',
      `PostgreSQL's memory (PSS, peak) on ${subject(r)} at {0} clients was {1} MiB through ${r.config} against {2} MiB through ${b.config}, with {3} vs {4} server backends${tierText}${pbText}.`,
      [
        a.clients(),
        a.pss(j),
        bb.pss(bj),
        a.backends(),
        bb.backends(),
        ...tiers.map((t) => a.pss(t.k)),
        ...(perBackend ? [a.perBackendSlope(), bb.perBackendSlope()] : []),
      ],
    ),
    TIER.memory,
  );
}
