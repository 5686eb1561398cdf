import type { Protocol } from '../matrix/protocol.js';
import { tenantRole } from '../matrix/tenants.js';
import { countConnectionErrors } from '../pgbench/summary.js';
import { groupHistogramFile, groupSecondsFile } from '../results/paths.js';
import type { GroupRecord } from '../results/types.js';
import type { ConfigPath, PgbenchResult } from '../stack/types.js';
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

/**
 * Every pgbench process of a mix cell: each group's own (several when it has more clients than one
 * process holds), all started together by runProcesses. `group` is the group's position.
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
): PgbenchProcess[] {
  return o.groups.flatMap((g, i) =>
    pgbenchProcesses(
      {
        path: groupPath(o.path, g),
        workload: g.workload,
        clients: g.clients,
        threads: g.threads,
        clientsPerProcess: o.clientsPerProcess,
        protocol: o.protocol,
      },
      durationS,
      logPrefix === undefined ? undefined : groupLogPrefix(logPrefix, i),
    ).map((p) => ({ ...p, group: i })),
  );
}

/** pgbench -R in an argv (from `rate:` or the flags): its log has a schedule_lag column. */
export function hasRate(argv: readonly string[]): boolean {
  return argv.some((a) => a === '-R' || a.startsWith('--rate') || /^-R\d/.test(a));
}

/**
 * One record per group: its processes' summaries merged, and its percentiles from its own logs only
 * (never from the cell's merged histogram), each group's histogram and per-second figures in files
 * of its own.
 */
export async function groupRecords(
  o: {
    dir: string;
    path: ConfigPath;
    groups: readonly GroupPlan[];
    logPrefix: string;
    warnings: string[];
  },
  processes: readonly PgbenchProcess[],
  parts: readonly PgbenchResult[],
): Promise<GroupRecord[]> {
  const out: GroupRecord[] = [];
  for (const [i, g] of o.groups.entries()) {
    const mine = processes.flatMap((p, j) => (p.group === i ? [{ p, r: parts[j] }] : []));
    const procs = mine.map((x) => x.p);
    const results = mine.flatMap((x) => (x.r ? [x.r] : []));
    const figures = await txLogFigures({
      dir: o.dir,
      files: await txLogFiles(o.dir, procs),
      clientsPerProcess: procs.map((p) => p.clients),
      lag: hasRate(procs[0]?.argv ?? []),
      histogramFile: groupHistogramFile(g.name),
      // Its seconds on the cell's axis: from every one of its log files, by each line's epoch second.
      secondsFile: groupSecondsFile(g.name),
      warnings: o.warnings,
      prefix: `group ${g.name}: `,
    });
    const combined = results.length > 0 ? combineResults(results) : undefined;
    const summary = cellSummary(results);
    const endpoint = groupPath(o.path, g).endpoint;
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
      ...(g.workload.load ? { load: g.workload.load } : {}),
      ...(summary ? { summary } : {}),
      ...(figures.latency ? { latency: figures.latency } : {}),
      ...(figures.clients ? { clientFigures: figures.clients } : {}),
      connectionErrors: combined ? countConnectionErrors(combined.stderr) : 0,
    });
  }
  return out;
}
