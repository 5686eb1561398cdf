import type { ProfileSegment } from '../matrix/profile.js';
import type { Protocol } from '../matrix/protocol.js';
import { tenantRole } from '../matrix/tenants.js';
import type { Workload, WorkloadLoad } from '../matrix/workload.js';
import { countConnectionErrors } from '../pgbench/summary.js';
import { groupHistogramFile, groupSecondsFile } from '../results/paths.js';
import type { GroupRecord, GroupSegmentRecord } from '../results/types.js';
import type { ConfigPath, PgbenchResult } from '../stack/types.js';
import { clientSlots } from './chain.js';
import { cellSummary, combineResults, type PgbenchProcess, pgbenchProcesses } from './pgbench-processes.js';
import type { GroupPlan } from './plan.js';
import { txLogFigures, txLogFiles } from './txlog-figures.js';

/**
 * The group's connection: the config's endpoint, with the group's own database and role when it
 * names them; with `pool_per_group`, the group's own PgBouncer database (its own pool); with
 * `pgbouncer_per_group`, its own PgBouncer process's port.
 */
function groupPath(p: ConfigPath, g: GroupPlan): ConfigPath {
  const own = p.groupTargets?.[g.name];
  const database = own?.database ?? g.database ?? p.endpoint.database;
  const port = own?.port ?? p.endpoint.port;
  const user =
    g.role ?? (g.tenantRole === undefined ? p.endpoint.user : tenantRole(p.endpoint.user, g.tenantRole));
  return { ...p, endpoint: { ...p.endpoint, database, port, user } };
}

/**
 * Log prefix of group `i` (`pgbench_log_g1`, ...): by position, not name, so that a split group's
 * `<prefix>_p<j>` can never be another group's prefix (names may hold `_p0`).
 */
function groupLogPrefix(logPrefix: string, i: number): string {
  return `${logPrefix}_g${i + 1}`;
}

/** `pgbench_log_g2` -> `pgbench_log_g2_s3`: segment 3 of the group's profile (`_p<j>` follows when it is split). */
function segmentLogPrefix(groupPrefix: string, seg: Pick<ProfileSegment, 'index'>): string {
  return `${groupPrefix}_s${seg.index}`;
}

/** The group's workload at one segment of its profile: -R the segment's rate. */
function segmentWorkload(g: GroupPlan, seg: ProfileSegment): Workload {
  return {
    ...g.workload,
    load: { workload: g.workload.load?.workload ?? g.name, ...g.workload.load, rate: seg.rate },
  };
}

/**
 * Every pgbench process of a mix cell: each group's own (several when it has more clients than one
 * process holds), all started together by runProcesses. `group` is the group's position. A group
 * with a profile runs one pgbench per segment (`-T` the segment, `-R` its rate), chained: each
 * segment starts when the one before it ended (src/runner/chain.ts). `chain: false` (the warmup)
 * runs such a group as one pgbench at its first segment's rate instead.
 */
export function mixProcesses(
  o: {
    path: ConfigPath;
    groups: readonly GroupPlan[];
    clientsPerProcess: number;
    protocol: Protocol;
  },
  durationS: number,
  logPrefix?: string,
  chain = true,
): PgbenchProcess[] {
  return o.groups.flatMap((g, i) => {
    const prefix = logPrefix === undefined ? undefined : groupLogPrefix(logPrefix, i);
    const run = (workload: Workload, seconds: number, pfx: string | undefined) =>
      pgbenchProcesses(
        {
          path: groupPath(o.path, g),
          workload,
          clients: g.clients,
          threads: g.threads,
          clientsPerProcess: o.clientsPerProcess,
          protocol: o.protocol,
        },
        seconds,
        pfx,
      ).map((p) => ({ ...p, group: i }));
    const first = g.profile?.[0];
    if (!g.profile || !first) return run(g.workload, durationS, prefix);
    if (!chain) return run(segmentWorkload(g, first), durationS, prefix);
    return g.profile.flatMap((seg, k) =>
      run(
        segmentWorkload(g, seg),
        Math.max(1, Math.round(seg.durationMs / 1000)),
        prefix === undefined ? undefined : segmentLogPrefix(prefix, seg),
      ).map((p) => ({
        ...p,
        segment: { index: k, count: seg.count, startMs: seg.startMs, durationMs: seg.durationMs },
      })),
    );
  });
}

/** pgbench -R in an argv (from `rate:` or the flags): its log has a schedule_lag column. */
export function hasRate(argv: readonly string[]): boolean {
  return argv.some((a) => a === '-R' || a.startsWith('--rate') || /^-R\d/.test(a));
}

/** What a group offered: its rate and latency limit; with a profile, each segment's rate and their mean. */
function offeredLoad(g: GroupPlan): WorkloadLoad | undefined {
  const load = g.workload.load;
  if (!g.profile || g.profile.length === 0) return load;
  const [first] = g.profile;
  const rates = g.profile.map((s) => s.rate);
  // Segments are of one length: the mean rate is what the profile offered over the whole cell.
  const rate = rates.reduce((a, b) => a + b, 0) / rates.length;
  return {
    workload: load?.workload ?? g.name,
    ...load,
    rate,
    profile: { shape: first?.shape ?? 'step', segmentMs: first?.durationMs ?? 0, rates },
  };
}

/** Each segment of a group's profile: its rate, planned and actual start, processes and summary. */
function segmentRecords(
  g: GroupPlan,
  groupPrefix: string,
  mine: ReadonlyArray<{ p: PgbenchProcess; r: PgbenchResult | undefined; startedAfterMs?: number }>,
): GroupSegmentRecord[] | undefined {
  if (!g.profile) return undefined;
  return g.profile.map((seg, k) => {
    const own = mine.filter((x) => x.p.segment?.index === k);
    const results = own.flatMap((x) => (x.r ? [x.r] : []));
    const summary = cellSummary(results);
    const started = own.find((x) => x.startedAfterMs !== undefined)?.startedAfterMs;
    return {
      index: seg.index,
      count: seg.count,
      startMs: seg.startMs,
      durationMs: seg.durationMs,
      rate: seg.rate,
      burst: seg.burst,
      ...(started === undefined ? {} : { startedAfterMs: started }),
      logPrefix: segmentLogPrefix(groupPrefix, seg),
      processes: own.length,
      exitCode: results.length > 0 ? combineResults(results).exitCode : null,
      ...(summary ? { summary } : {}),
    };
  });
}

/**
 * One record per group: its processes' summaries merged, and its percentiles from its own logs only
 * (never from the cell's merged histogram), each group's histogram and per-second figures in files
 * of its own. A group with
 * a profile: its segments merged one after another (cellSummary), its latency from every segment's
 * logs, and each segment's own record. `startedAfterMs[j]`: when process j started, ms after the
 * cell's measured start.
 */
export async function groupRecords(
  o: {
    dir: string;
    path: ConfigPath;
    groups: readonly GroupPlan[];
    logPrefix: string;
    warnings: string[];
    startedAfterMs?: ReadonlyArray<number | undefined>;
  },
  processes: readonly PgbenchProcess[],
  parts: readonly PgbenchResult[],
): Promise<GroupRecord[]> {
  const out: GroupRecord[] = [];
  for (const [i, g] of o.groups.entries()) {
    const mine = processes.flatMap((p, j) => {
      if (p.group !== i) return [];
      const at = o.startedAfterMs?.[j];
      return [{ p, r: parts[j], ...(at === undefined ? {} : { startedAfterMs: at }) }];
    });
    const procs = mine.map((x) => x.p);
    const ran = mine.flatMap((x) => (x.r ? [{ p: x.p, r: x.r }] : []));
    const results = ran.map((x) => x.r);
    const figures = await txLogFigures({
      dir: o.dir,
      files: await txLogFiles(o.dir, procs),
      clientsPerProcess: clientSlots(procs).clients,
      lag: hasRate(procs[0]?.argv ?? []),
      histogramFile: groupHistogramFile(g.name),
      // Its seconds on the cell's axis: from every one of its log files, by each line's epoch second.
      secondsFile: groupSecondsFile(g.name),
      warnings: o.warnings,
      prefix: `group ${g.name}: `,
    });
    const combined = results.length > 0 ? combineResults(results) : undefined;
    const summary = cellSummary(
      results,
      ran.map((x) => x.p),
    );
    const endpoint = groupPath(o.path, g).endpoint;
    const load = offeredLoad(g);
    const segments = segmentRecords(g, groupLogPrefix(o.logPrefix, i), mine);
    out.push({
      name: g.name,
      clients: g.clients,
      threads: g.threads,
      database: endpoint.database,
      role: endpoint.user,
      argv: procs[0]?.argv ?? [],
      processes: procs.length,
      logPrefix: groupLogPrefix(o.logPrefix, i),
      exitCode: combined ? combined.exitCode : null,
      ...(load ? { load } : {}),
      ...(summary ? { summary } : {}),
      ...(figures.latency ? { latency: figures.latency } : {}),
      ...(figures.clients ? { clientFigures: figures.clients } : {}),
      connectionErrors: combined ? countConnectionErrors(combined.stderr) : 0,
      ...(segments ? { segments } : {}),
    });
  }
  return out;
}
