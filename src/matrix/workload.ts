import path from 'node:path';
import { expandProfile, type ProfileSegment } from './profile.js';
import type { Protocol } from './protocol.js';
import { BUILTIN_WORKLOAD_TABLE, type BuiltinWorkload, type MatrixSpec } from './schema.js';
import { type Tenants, tenantPairs } from './tenants.js';

/** The offered load of a rate-limited workload (see src/matrix/load-variants.ts). */
export interface WorkloadLoad {
  /** The matrix's workload this one comes from (a rate axis value or a profile segment). */
  workload: string;
  /** pgbench -R: transactions per second offered over all clients together. */
  rate?: number;
  /** pgbench -L, ms. */
  latencyLimitMs?: number;
  /** The profile segment this workload runs. */
  segment?: ProfileSegment;
  /**
   * A client group's profile (docs/tenants.md): the rate of each of its segments, in order, at the
   * cell's concurrency. `rate` is then their mean: what the group offered over the whole cell.
   */
  profile?: OfferedProfile;
}

/** The offered rates of a group's profile, one per segment of `segmentMs`. */
export interface OfferedProfile {
  shape: ProfileSegment['shape'];
  segmentMs: number;
  rates: number[];
}

/** One client group of a mix, resolved: its own workload (rate included), clients, database and role. */
export interface MixGroup {
  name: string;
  /** What the group's pgbench runs; its `load.rate` is the group's rate at concurrency 1. */
  workload: Workload;
  /** Clients at concurrency 1. */
  clients: number;
  /** Absent: the config's own (the stack's database, the config's role). */
  database?: string;
  role?: string;
  /** A `tenant: each` copy: tenant role number `j` of the config that runs it (src/matrix/tenants.ts). */
  tenantRole?: number;
  /**
   * The group's own profile (docs/tenants.md), expanded: its segments run back to back, one pgbench
   * each at the segment's rate, while the other groups run the whole cell. Rates at concurrency 1.
   */
  profile?: ProfileSegment[];
}

/** A workload resolved into what pgbench needs. */
export interface Workload {
  name: string;
  builtin?: BuiltinWorkload;
  /** Absolute script paths, each optionally suffixed with `@weight` as pgbench accepts. */
  scripts: string[];
  /** pgbench -C: a new connection per transaction. Logged latency then excludes connecting. */
  reconnect: boolean;
  flags: string[];
  /** Rate, latency limit and profile segment, when the workload sets them. */
  load?: WorkloadLoad;
  /** The length of a profile segment; otherwise the matrix's duration. */
  durationMs?: number;
  /** pgbench -M of this workload's cells, when the workload sets it (src/matrix/protocol.ts). */
  protocol?: Protocol;
  /** Client groups run at once in each cell (src/matrix/mix.ts); the workload's own fields are then empty. */
  mix?: MixGroup[];
}

type WorkloadSpec = MatrixSpec['workloads'][number];
type MixGroupSpec = NonNullable<Extract<WorkloadSpec, object>['mix']>[number];

const BUILTIN = BUILTIN_WORKLOAD_TABLE;

export function resolveWorkload(w: WorkloadSpec, matrixDir: string, tenants?: Tenants): Workload {
  if (typeof w === 'string')
    return { name: w, builtin: w, scripts: [], reconnect: BUILTIN[w].reconnect, flags: [] };
  if (w.mix !== undefined) {
    return {
      name: w.name,
      scripts: [],
      reconnect: false,
      flags: [],
      ...(typeof w.protocol === 'string' ? { protocol: w.protocol } : {}),
      mix: w.mix.flatMap((g) => spreadOverTenants(resolveGroup(w.name, g, matrixDir), g.tenant, tenants)),
    };
  }
  const scripts = w.script === undefined ? [] : Array.isArray(w.script) ? w.script : [w.script];
  const base = w.builtin === undefined ? undefined : BUILTIN[w.builtin];
  return {
    name: w.name,
    ...(w.builtin === undefined ? {} : { builtin: w.builtin }),
    scripts: scripts.map((s) => resolveScript(s, matrixDir)),
    reconnect: w.reconnect ?? base?.reconnect ?? false,
    flags: w.flags,
    // A list was expanded into one workload per protocol (src/matrix/axes.ts).
    ...(typeof w.protocol === 'string' ? { protocol: w.protocol } : {}),
  };
}

/** A group's own workload: a built-in or its scripts, its flags, and its rate as the workload's load. */
function resolveGroup(mix: string, g: MixGroupSpec, matrixDir: string): MixGroup {
  const scripts = g.script === undefined ? [] : Array.isArray(g.script) ? g.script : [g.script];
  const base = g.builtin === undefined ? undefined : BUILTIN[g.builtin];
  const limit = g.latency_limit === undefined ? {} : { latencyLimitMs: g.latency_limit };
  // A profile group has a load without a rate of its own: each segment's process sets -R.
  const load =
    g.rate === undefined && g.latency_limit === undefined && g.profile === undefined
      ? {}
      : { load: { workload: mix, ...(g.rate === undefined ? {} : { rate: g.rate }), ...limit } };
  return {
    name: g.name,
    clients: g.clients,
    ...(g.database === undefined ? {} : { database: g.database }),
    ...(g.role === undefined ? {} : { role: g.role }),
    ...(g.profile === undefined ? {} : { profile: expandProfile(g.profile) }),
    workload: {
      name: g.name,
      ...(g.builtin === undefined ? {} : { builtin: g.builtin }),
      scripts: scripts.map((s) => resolveScript(s, matrixDir)),
      reconnect: g.reconnect ?? base?.reconnect ?? false,
      flags: g.flags,
      ...load,
    },
  };
}

/**
 * A `tenant: each` group -> one group per (tenant database, tenant role) pair, named
 * `<group>-t<i>r<j>`, each with the group's clients and rate: every pair gets its own clients, so
 * PgBouncer one pool per pair. The role is resolved per config (its own tenant roles).
 */
function spreadOverTenants(
  g: MixGroup,
  tenant: 'each' | undefined,
  tenants: Tenants | undefined,
): MixGroup[] {
  if (tenant === undefined || tenants === undefined) return [g];
  return tenantPairs(tenants).map((p, k) => ({
    ...g,
    name: `${g.name}-t${Math.floor(k / tenants.roles) + 1}r${p.role}`,
    database: p.database,
    tenantRole: p.role,
    workload: { ...g.workload, name: `${g.name}-t${Math.floor(k / tenants.roles) + 1}r${p.role}` },
  }));
}

/** `file.sql@3` -> `/abs/file.sql@3`; the weight suffix stays for pgbench. */
function resolveScript(spec: string, dir: string): string {
  const m = /^(.*?)(@\d+)?$/.exec(spec);
  const file = m?.[1] ?? spec;
  return path.resolve(dir, file) + (m?.[2] ?? '');
}

export function scriptFile(spec: string): string {
  return spec.replace(/@\d+$/, '');
}

/** pgbench flags that define the workload (not clients, duration or logging). */
export function workloadFlags(w: Workload): string[] {
  const flags: string[] = [];
  if (w.builtin !== undefined && w.scripts.length === 0) {
    if (BUILTIN[w.builtin].select) flags.push('-S');
  }
  for (const s of w.scripts) flags.push('-f', s);
  if (w.reconnect) flags.push('-C');
  if (w.load?.rate !== undefined) flags.push('-R', String(w.load.rate));
  if (w.load?.latencyLimitMs !== undefined) flags.push('-L', String(w.load.latencyLimitMs));
  flags.push(...w.flags);
  return flags;
}

/** Whether a workload writes (a tpcb-like one, or a custom script, which may): cells then need a vacuum between them. */
export function workloadWrites(w: Workload): boolean {
  if (w.mix) return w.mix.some((g) => workloadWrites(g.workload));
  return w.builtin === undefined || BUILTIN[w.builtin].writes;
}

/**
 * The databases a cell of this workload writes to: each writing group's own (a tenant database)
 * or `configDb`; empty when nothing writes. The next cell vacuums each (src/runner/prepare.ts).
 */
export function writtenDatabases(w: Workload, configDb: string): string[] {
  if (!w.mix) return workloadWrites(w) ? [configDb] : [];
  const dbs = w.mix.filter((g) => workloadWrites(g.workload)).map((g) => g.database ?? configDb);
  return [...new Set(dbs)];
}
