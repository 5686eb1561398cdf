import { isOwnRole } from '../matrix/tenants.js';
import { poolerCost, summarizePools } from './pool-summary.js';
import {
  type ComponentSummary,
  type GapSample,
  isGap,
  type PgActivitySample,
  type PgbouncerSample,
  type ProcSample,
  type Sample,
  type SamplingSummary,
  type StateCounts,
} from './types.js';

export type SummaryContext = {
  intervalMs: number;
  clients: number;
  /** The benchmark database (server backends are counted for it). */
  database: string;
  /** Ticks that ran (in the summary window). */
  ticks: number;
  /** Warnings the samplers raised (PSS unreadable, component without a pid, ...). */
  warnings: string[];
  /** Roles of the sampled components, by key. */
  roles: Record<string, string>;
  /** The config's PostgreSQL role: server backends are counted for it alone (attribution). */
  role?: string;
  /** Why PSS could not be read, by component key. */
  pssErrors?: Record<string, string>;
};

const round = (v: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const peak = (xs: number[]): number => xs.reduce((a, b) => Math.max(a, b), 0);

/** One warning per sampler (and component) that had gaps, with the count and the first error. */
function gapWarnings(gaps: GapSample[], ticks: number): string[] {
  const groups = new Map<string, GapSample[]>();
  for (const g of gaps) {
    const key = g.component ? `${g.kind} ${g.component}` : g.kind;
    const list = groups.get(key);
    if (list) list.push(g);
    else groups.set(key, [g]);
  }
  const out: string[] = [];
  for (const [key, list] of groups) {
    const first = list[0];
    if (!first) continue;
    if (first.kind === 'tick') {
      out.push(`sampling: ${list.length} tick(s) skipped because the previous tick was still running`);
    } else {
      out.push(`sampling ${key}: ${list.length} of ${ticks} sample(s) missing (first error: ${first.error})`);
    }
  }
  return out;
}

const NONE: StateCounts = {
  total: 0,
  active: 0,
  idle: 0,
  idleInTransaction: 0,
  idleInTransactionAborted: 0,
  other: 0,
  waitingOnLock: 0,
};

/** The counts that stand for "server backends": the role's on the benchmark database, or everyone's. */
function serverCounts(s: PgActivitySample, role: string | undefined): StateCounts {
  if (role === undefined) return s.database;
  return s.databaseByUser?.[role] ?? NONE;
}

/** Backends of the config's role and its tenant roles (src/matrix/tenants.ts), every database. */
function ownBackends(s: PgActivitySample, role: string): number {
  return Object.entries(s.byUser).reduce((a, [u, n]) => a + (isOwnRole(role, u) ? n : 0), 0);
}

function postgresSummary(
  samples: PgActivitySample[],
  database: string,
  role: string | undefined,
): SamplingSummary['postgres'] {
  if (samples.length === 0) return undefined;
  const server = samples.map((s) => serverCounts(s, role));
  const backends = server.map((c) => c.total);
  const maxConnections = samples.find((s) => s.maxConnections !== undefined)?.maxConnections;
  return {
    database,
    ...(role !== undefined ? { role } : {}),
    samples: samples.length,
    serverBackendsPeak: peak(backends),
    serverBackendsMean: round(mean(backends), 2),
    activePeak: peak(server.map((c) => c.active)),
    idleInTransactionPeak: peak(server.map((c) => c.idleInTransaction)),
    waitingOnLockPeak: peak(server.map((c) => c.waitingOnLock)),
    clientBackendsPeak: peak(samples.map((s) => s.all.total)),
    ...(role !== undefined
      ? {
          databaseBackendsPeak: peak(samples.map((s) => s.database.total)),
          // byUser covers every database: the role's backends elsewhere (and its tenant roles',
          // on the tenant databases) are still its own.
          foreignBackendsPeak: peak(samples.map((s) => s.all.total - ownBackends(s, role))),
        }
      : {}),
    ...(maxConnections !== undefined ? { maxConnections } : {}),
  };
}

/**
 * PostgreSQL PSS / server backends at the same tick (lines of one tick share `t`), averaged over
 * the ticks that have both and at least one backend. Undefined when no tick has both.
 */
function pssPerBackend(
  activity: PgActivitySample[],
  postgresProcs: ProcSample[],
  role: string | undefined,
): { bytes: number; samples: number } | undefined {
  const backendsAt = new Map(activity.map((s) => [s.t, serverCounts(s, role).total]));
  const ratios = postgresProcs.flatMap((p) => {
    const n = backendsAt.get(p.t);
    return p.pssBytes !== undefined && n !== undefined && n > 0 ? [p.pssBytes / n] : [];
  });
  return ratios.length === 0 ? undefined : { bytes: Math.round(mean(ratios)), samples: ratios.length };
}

function pgbouncerSummary(samples: PgbouncerSample[]): SamplingSummary['pgbouncer'] {
  if (samples.length === 0) return undefined;
  const out: NonNullable<SamplingSummary['pgbouncer']> = {
    samples: samples.length,
    clActivePeak: peak(samples.map((s) => s.totals.clActive)),
    clWaitingPeak: peak(samples.map((s) => s.totals.clWaiting)),
    maxwaitMsPeak: round(peak(samples.map((s) => s.totals.maxwaitMs)), 3),
    svActivePeak: peak(samples.map((s) => s.totals.svActive)),
    serverConnectionsPeak: peak(samples.map((s) => s.totals.serverConnections)),
  };
  const deltas = samples.flatMap((s) => (s.stats ? [s.stats] : []));
  if (deltas.length > 0) {
    out.xacts = deltas.reduce((a, d) => a + d.xacts, 0);
    out.queries = deltas.reduce((a, d) => a + d.queries, 0);
    out.waitTimeMs = round(deltas.reduce((a, d) => a + d.waitTimeUs, 0) / 1000, 3);
  }
  return out;
}

function componentSummary(
  role: string,
  samples: ProcSample[],
  pssError: string | undefined,
): ComponentSummary | undefined {
  const last = samples[samples.length - 1];
  if (!last) return undefined;
  const rss = samples.map((s) => s.rssBytes);
  const out: ComponentSummary = {
    role,
    pid: last.pid,
    samples: samples.length,
    rssPeakBytes: peak(rss),
    rssMeanBytes: Math.round(mean(rss)),
    processesPeak: peak(samples.map((s) => s.processes)),
  };
  const pss = samples.flatMap((s) => (s.pssBytes !== undefined ? [s.pssBytes] : []));
  if (pss.length > 0) {
    out.pssPeakBytes = peak(pss);
    out.pssMeanBytes = Math.round(mean(pss));
    out.pssSamples = pss.length;
  }
  if (pssError !== undefined) out.pssError = pssError;
  const cpu = samples.filter((s) => s.cpuCores !== undefined && s.cpuSeconds !== undefined && s.dtMs);
  if (cpu.length > 0) {
    // Weighted by time: a delta that spans two intervals (after a gap) counts for both.
    const seconds = cpu.reduce((a, s) => a + (s.cpuSeconds ?? 0), 0);
    const wall = cpu.reduce((a, s) => a + (s.dtMs ?? 0), 0) / 1000;
    out.cpuCoresMean = round(seconds / wall, 4);
    out.cpuCoresPeak = round(peak(cpu.map((s) => s.cpuCores ?? 0)), 4);
  }
  return out;
}

/** Pure: the sample lines of one cell -> its summary. */
export function summarizeSamples(samples: Sample[], ctx: SummaryContext): SamplingSummary {
  const gaps: GapSample[] = [];
  const activity: PgActivitySample[] = [];
  const bouncer: PgbouncerSample[] = [];
  const procs = new Map<string, ProcSample[]>();
  for (const s of samples) {
    if (isGap(s)) gaps.push(s);
    else if (s.kind === 'pg_activity') activity.push(s);
    else if (s.kind === 'pgbouncer') bouncer.push(s);
    else {
      const list = procs.get(s.component);
      if (list) list.push(s);
      else procs.set(s.component, [s]);
    }
  }

  const components: Record<string, ComponentSummary> = {};
  for (const [key, list] of procs) {
    const c = componentSummary(ctx.roles[key] ?? key.split(':')[0] ?? key, list, ctx.pssErrors?.[key]);
    if (c) components[key] = c;
  }

  const summary: SamplingSummary = {
    intervalMs: ctx.intervalMs,
    ticks: ctx.ticks,
    skippedTicks: gaps.filter((g) => g.kind === 'tick').length,
    samples: samples.length,
    gaps: gaps.length,
    warnings: [...ctx.warnings, ...gapWarnings(gaps, ctx.ticks)],
    components,
    clients: ctx.clients,
  };
  const pgSummary = postgresSummary(activity, ctx.database, ctx.role);
  if (pgSummary) {
    const perBackend = pssPerBackend(activity, procs.get('postgres') ?? [], ctx.role);
    if (perBackend) {
      pgSummary.pssPerBackendBytes = perBackend.bytes;
      pgSummary.pssPerBackendSamples = perBackend.samples;
    }
    summary.postgres = pgSummary;
  }
  const pgbSummary = pgbouncerSummary(bouncer);
  if (pgbSummary) {
    const pools = summarizePools(bouncer);
    if (pools.poolsSeen > 0) {
      pgbSummary.pools = pools;
      const cost = poolerCost(components, pools.poolsPeak);
      if (cost) pgbSummary.cost = cost;
    }
    summary.pgbouncer = pgbSummary;
  }
  if (pgSummary && pgSummary.serverBackendsPeak > 0 && ctx.clients > 0) {
    summary.multiplexing = round(ctx.clients / pgSummary.serverBackendsPeak, 3);
  }
  return summary;
}
