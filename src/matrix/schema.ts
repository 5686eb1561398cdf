import { z } from 'zod';
import { splitCommandWords } from './command-words.js';
import { costSchema } from './cost.js';
import { type durationSchema, nonNegativeDuration, positiveDuration } from './duration-schema.js';
import { eventSchema, ON_FAILOVER } from './events.js';
import { externalRules } from './external-rules.js';
import { gatesSchema } from './gates.js';
import { groupProfileRules, mixSchemaOf } from './mix-schema.js';
import { latencyLimit, profileSchema, rateValue } from './profile-schema.js';
import { PROTOCOLS, protocolAxisSchema, protocolListIssues } from './protocol.js';
import { tenantsSchema } from './tenants.js';
import { externalTlsSchema, tlsIssues, tlsKeySchema, tlsSchema } from './tls.js';
import { topologyRules } from './topology-rules.js';
import { workersListIssues, workersSchema } from './workers.js';

/** pgbench -T takes whole seconds: a matrix saying 1.5s must not record one thing and run another. */
const wholeSeconds = (d: typeof durationSchema) =>
  d.refine((ms) => ms % 1000 === 0, { message: 'whole seconds (pgbench -T takes whole seconds), e.g. 5s' });

const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a name of letters, digits, ".", "_" or "-" (used in cell ids)');

/** Settings the harness writes itself in pgbouncer.ini; a matrix may not override them. */
export const HARNESS_OWNED_PGBOUNCER = [
  'listen_addr',
  'listen_port',
  'auth_type',
  'auth_file',
  'admin_users',
  'unix_socket_dir',
  'logfile',
  'pidfile',
  'so_reuseport',
  'peer_id',
] as const;

/** pgbouncer.ini [pgbouncer] settings beyond the ones the harness owns (listen_addr, listen_port, auth). */
const iniValue = z.union([z.string(), z.number(), z.boolean()]);

const pgbouncerHop = z.strictObject({
  pool_mode: z.enum(['session', 'transaction', 'statement']).default('transaction'),
  default_pool_size: z.number().int().positive().default(20),
  min_pool_size: z.number().int().nonnegative().optional(),
  reserve_pool_size: z.number().int().nonnegative().optional(),
  max_client_conn: z.number().int().positive().optional(),
  max_db_connections: z.number().int().positive().optional(),
  /**
   * One pool per client group of a mix (docs/tenants.md): each group connects to its own [databases]
   * entry, whose pool_size is the group's `pool_size:` or else its even share of default_pool_size
   * (src/stack/group-pools.ts; a `tenant: each` group has none: its copies use their pairs' pools).
   */
  pool_per_group: z.boolean().optional(),
  /**
   * One PgBouncer process per client group of a mix, each on its own port with a pool of the
   * group's `pool_size:` or else its even share of default_pool_size (src/stack/group-pools.ts);
   * each group's clients connect to their own process (docs/tenants.md). The config's own process
   * still serves workloads without a mix and the copies of a `tenant: each` group.
   */
  pgbouncer_per_group: z.boolean().optional(),
  settings: z.record(z.string(), iniValue).default({}),
});
export type PgbouncerHop = z.infer<typeof pgbouncerHop>;

/**
 * A pgbouncer config's pool fields and settings may be lists: each list is an axis, expanded into
 * one config per value (src/matrix/setting-axes.ts), so these accept a value or a non-empty list.
 */
const axisOf = <T extends z.ZodType>(v: T) => z.union([v, z.array(v).min(1, 'a non-empty list')]);
const poolCount = z.number().int().positive();
const poolCount0 = z.number().int().nonnegative();
const pgbouncerHopAxes = z.strictObject({
  pool_mode: z.enum(['session', 'transaction', 'statement']).default('transaction'),
  default_pool_size: axisOf(poolCount).default(20),
  min_pool_size: axisOf(poolCount0).optional(),
  reserve_pool_size: axisOf(poolCount0).optional(),
  max_client_conn: axisOf(poolCount).optional(),
  max_db_connections: axisOf(poolCount).optional(),
  pool_per_group: z.boolean().optional(),
  pgbouncer_per_group: z.boolean().optional(),
  settings: z.record(z.string(), axisOf(iniValue)).default({}),
});

/**
 * A config's own concurrency list, replacing the matrix's for its cells (direct at 1,000 while
 * PgBouncer goes to 10,000): see docs/many-clients.md.
 */
const configConcurrency = z.array(z.number().int().positive()).min(1, 'a non-empty list').optional();

/**
 * A config's own share of the matrix's `tenants:`: the first D databases and the first R roles,
 * so one run holds 100 pools on one config and 1,000 on another, each through its own PgBouncer
 * (docs/tenants.md, "Many pools"). Checked against the matrix's in tenantRules.
 */
const configTenants = tenantsSchema.optional();

/** A path on this machine, absolute (a matrix runs from any directory). */
const absolutePath = z.string().regex(/^\//, 'an absolute path');
/**
 * Operations under load (issue 22, docs/operations.md): a streaming standby of the run's PostgreSQL
 * that a `failover: promote` event promotes, and a fault relay between the config's pooler (or its
 * direct clients) and PostgreSQL that `fault:` events act on.
 */
const operationFields = {
  /** Start a streaming standby of PostgreSQL (a base backup of the primary) for this config's cells. */
  standby: z.boolean().optional(),
  /** Put a fault relay (loopback TCP) between this config's pooler or clients and PostgreSQL. */
  fault_relay: z.boolean().optional(),
};

const directConfig = z.strictObject({
  name,
  kind: z.literal('direct'),
  concurrency: configConcurrency,
  tenants: configTenants,
  /** pgbench -M for this config's cells; a list is an axis (`<name>-<protocol>`, src/matrix/protocol.ts). */
  protocol: protocolAxisSchema,
  description: z.string().optional(),
  gates: gatesSchema.optional(),
  tls: tlsSchema.optional(),
  /** This config's own PostgreSQL image (testcontainers provider): its own server (docs/versions.md). */
  images: z.strictObject({ postgres: z.string().min(1).optional() }).optional(),
  /** This config's own PostgreSQL binaries (native provider): its own server (docs/versions.md). */
  binaries: z.strictObject({ postgres: absolutePath.optional() }).optional(),
  ...operationFields,
});

const port = z.number().int().min(1024).max(65535);

/**
 * Images of this config's own components (testcontainers provider): two PgBouncer builds or two
 * PostgreSQL majors in one matrix, each config running its own. Configs that name different
 * PostgreSQL images (or none: the run's) each get their own server (src/matrix/servers.ts).
 */
const configImages = z
  .strictObject({ postgres: z.string().min(1).optional(), pgbouncer: z.string().min(1).optional() })
  .optional();

/**
 * This config's own binaries (native provider): `postgres` is a directory holding initdb and
 * postgres (a server of its own, like an image), `pgbouncer` the pgbouncer executable itself.
 */
const configBinaries = z
  .strictObject({ postgres: absolutePath.optional(), pgbouncer: absolutePath.optional() })
  .optional();

const pgbouncerConfigFields = {
  name,
  /** Fixed listen port; by default the harness picks a free one below the ephemeral range. */
  port: port.optional(),
  kind: z.literal('pgbouncer'),
  concurrency: configConcurrency,
  tenants: configTenants,
  protocol: protocolAxisSchema,
  /** PgBouncer processes on one port (so_reuseport), or a list of counts: an axis (src/matrix/workers.ts). */
  workers: workersSchema,
  /**
   * Peer the workers (`peer_id`, `[peers]`, PgBouncer >= 1.19) so a cancel request reaching any of
   * them is forwarded to the client's. Absent: peered where the version has it, and not on an older
   * one; `false` runs them unpeered on any version (src/matrix/peering.ts).
   */
  peering: z.boolean().optional(),
  /**
   * Send cancel requests (the protocol's CancelRequest, through the pooler's port) to long queries
   * of a second client during each measured pgbench, and record how many reached their query
   * (src/runner/cancel-check.ts, docs/workers.md).
   */
  cancel_check: z.boolean().optional(),
  /**
   * Record `perf record -e cpu-clock -g` on this config's pooler/proxy processes during its
   * throughput cells, for flame graphs (docs/profiling.md); their TPS then carries the overhead.
   */
  profile: z.boolean().optional(),
  images: configImages,
  binaries: configBinaries,
  description: z.string().optional(),
  gates: gatesSchema.optional(),
  tls: tlsSchema.optional(),
  ...operationFields,
  /**
   * With `standby: true`: what is done with PgBouncer after a promotion: nothing (`none`, the
   * default: the pool stays on the old primary), `reload` (rewrite [databases] to the new primary
   * and RELOAD) or `pause-reload-resume`.
   */
  on_failover: z.enum(ON_FAILOVER).optional(),
};
/** As written in a file: pool fields and settings may be lists (axes). */
const pgbouncerConfig = pgbouncerHopAxes.extend(pgbouncerConfigFields);
/** After expansion (src/matrix/axes.ts): one value each. */
const pgbouncerConfigScalar = pgbouncerHop.extend(pgbouncerConfigFields);

/** A plain file name: it is created inside {workdir}, never elsewhere. */
const fileName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
    'a plain file name (letters, digits, ".", "_", "-"; no directories)',
  );

const proxyFile = z.union(
  [z.strictObject({ text: z.string() }), z.strictObject({ path: z.string().min(1) })],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? 'a file template: { text: "..." } (inline) or { path: "relative/to/matrix" }'
        : undefined,
  },
);
export type ProxyFileSpec = z.infer<typeof proxyFile>;

const proxyConfig = z.strictObject({
  name,
  kind: z.literal('proxy'),
  concurrency: configConcurrency,
  tenants: configTenants,
  protocol: protocolAxisSchema,
  description: z.string().optional(),
  port: port.optional(),
  gates: gatesSchema.optional(),
  tls: tlsSchema.optional(),
  /**
   * Record `perf record -e cpu-clock -g` on this config's pooler/proxy processes during its
   * throughput cells, for flame graphs (docs/profiling.md); their TPS then carries the overhead.
   */
  profile: z.boolean().optional(),
  /**
   * Shell-free command template for a local process: a list, or a string split into words as a
   * POSIX shell would (quotes, backslashes), shell syntax refused. Placeholders: {port} (where the proxy must listen),
   * {host} (always 127.0.0.1), {upstream_host}, {upstream_port}, {database}, {user}, {workdir},
   * {matrix_dir} (the matrix file's directory).
   */
  command: z.union([z.string().min(1), z.array(z.string()).min(1)]).optional(),
  /** Container image of the proxy (testcontainers provider). */
  image: z.string().min(1).optional(),
  env: z.record(z.string(), z.string()).default({}),
  /** How long to wait for the proxy to accept connections: a duration (`30s`), in ms once parsed. */
  ready_timeout: positiveDuration.default(30_000),
  /** Put a PgBouncer between the proxy and PostgreSQL. */
  via_pgbouncer: pgbouncerHop.optional(),
  ...operationFields,
  images: configImages,
  binaries: configBinaries,
  /**
   * Files the proxy reads (a configuration file, a password-less pcp.conf...), written into
   * {workdir} before the command starts. Each is a template, inline (`text`) or a file relative to
   * the matrix (`path`), rendered with the same placeholders as `command`.
   */
  files: z.record(fileName, proxyFile).default({}),
  /**
   * The config's own placeholders for `command` and `files:` (`{pool}`), beside the built-in
   * ones; a list is an axis, expanded into one config per value like a pgbouncer setting
   * (src/matrix/setting-axes.ts, which also checks the names).
   */
  placeholders: z.record(z.string(), axisOf(iniValue)).default({}),
});
/** After expansion (src/matrix/axes.ts): one value per placeholder. */
const proxyConfigScalar = proxyConfig.extend({ placeholders: z.record(z.string(), iniValue).default({}) });

/** An environment variable's name (where a password is read from; the password is never in the matrix). */
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');
const pid = z.number().int().positive();

/**
 * A path that already runs elsewhere (`provider: external`, docs/external.md): the harness starts
 * nothing and reaches it by DSN. Passwords come from the named environment variables (default
 * PGPASSWORD) or ~/.pgpass, never from the matrix.
 */
const externalConfig = z.strictObject({
  name,
  kind: z.literal('external'),
  protocol: protocolAxisSchema,
  description: z.string().optional(),
  gates: gatesSchema.optional(),
  /** What pgbench connects to: a postgresql:// URL or libpq key=value pairs, or host/port/database/user. */
  dsn: z.string().min(1).optional(),
  host: z.string().min(1).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  database: z.string().min(1).optional(),
  user: z.string().min(1).optional(),
  password_env: envName.optional(),
  /** PgBouncer's admin console (SHOW POOLS/STATS, KILL/RESUME to drain between cells). */
  admin_dsn: z.string().min(1).optional(),
  admin_password_env: envName.optional(),
  /** PostgreSQL itself, directly: pg_stat_activity, CHECKPOINT, VACUUM, the isolation count, init. */
  postgres_dsn: z.string().min(1).optional(),
  postgres_password_env: envName.optional(),
  concurrency: configConcurrency,
  /** TLS from bench to these endpoints (client side only; `ca_file` for verify-full). */
  tls: externalTlsSchema.optional(),
  /** PIDs of components on this machine, sampled for PSS/RSS/CPU from /proc. */
  pids: z
    .strictObject({ postgres: pid.optional(), pgbouncer: pid.optional(), proxy: pid.optional() })
    .default({}),
});
export type ExternalConfigSpec = z.infer<typeof externalConfig>;

export const configSchema = z.discriminatedUnion(
  'kind',
  [directConfig, pgbouncerConfig, proxyConfig, externalConfig],
  {
    error: (issue) =>
      issue.code === 'invalid_union' ? 'a config kind: one of direct, pgbouncer, proxy, external' : undefined,
  },
);
/** A config as written in the file (axes still lists). */
export type ConfigInput = z.infer<typeof configSchema>;

/** Which values of a config's setting axes this expansion took (src/matrix/setting-axes.ts). */
export interface SweepPoint {
  /** The config's name in the file. */
  of: string;
  /** Setting (a pool field or a pgbouncer.ini key) -> the value of this expansion. */
  values: Record<string, string | number | boolean>;
}

/** A config once its setting axes are expanded: the shape the stack and the runner use. */
export type ConfigSpec =
  | Exclude<ConfigInput, { kind: 'pgbouncer' | 'proxy' }>
  | (z.infer<typeof pgbouncerConfigScalar> & { sweep?: SweepPoint })
  | (z.infer<typeof proxyConfigScalar> & { sweep?: SweepPoint });

/** The PgBouncer a config puts in its path: its own (kind pgbouncer) or the one behind its proxy. */
export function pgbouncerHopOf(c: ConfigSpec): PgbouncerHop | undefined {
  return c.kind === 'pgbouncer' ? c : c.kind === 'proxy' ? c.via_pgbouncer : undefined;
}

export function needsPgbouncer(configs: ConfigSpec[]): boolean {
  return configs.some((c) => pgbouncerHopOf(c) !== undefined);
}

/**
 * The built-in workloads, the one table of them: pgbench's TPC-B-like script or its select-only
 * one (`-S`), each with a connection kept (the pooled case) or opened per transaction (`-C`, which
 * is what a pooler is for). `writes`: it updates rows, so cells need a vacuum between them.
 */
export const BUILTIN_WORKLOAD_TABLE = {
  tpcb: { select: false, reconnect: false, writes: true },
  readonly: { select: true, reconnect: false, writes: false },
  'readonly-short': { select: true, reconnect: true, writes: false },
  'tpcb-short': { select: false, reconnect: true, writes: true },
} as const satisfies Record<string, { select: boolean; reconnect: boolean; writes: boolean }>;
export type BuiltinWorkload = keyof typeof BUILTIN_WORKLOAD_TABLE;
export const BUILTIN_WORKLOADS = Object.keys(BUILTIN_WORKLOAD_TABLE) as [
  BuiltinWorkload,
  ...BuiltinWorkload[],
];

const workloadObject = z
  .strictObject({
    name,
    /** A built-in pgbench workload to start from. */
    builtin: z.enum(BUILTIN_WORKLOADS).optional(),
    /** Custom pgbench script file(s), relative to the matrix file. `file@weight` is allowed. */
    script: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Open a new connection for every transaction (pgbench -C). */
    reconnect: z.boolean().optional(),
    /** Extra pgbench flags, e.g. ["--rate", "1000"]. */
    flags: z.array(z.string()).default([]),
    gates: gatesSchema.optional(),
    /** pgbench -R: total transactions per second over all clients; a list makes it a matrix axis. */
    rate: z.union([rateValue, z.array(rateValue).min(1, 'a non-empty list of rates')]).optional(),
    /** pgbench -L: with a rate, transactions that would start later than this are skipped. */
    latency_limit: latencyLimit.optional(),
    /** Rates over time, run as consecutive rate-limited segments (docs/load-profiles.md). */
    profile: profileSchema.optional(),
    /** pgbench -M for this workload's cells; a list is an axis (`<name>.<protocol>`). */
    protocol: protocolAxisSchema,
    /** Client groups that run at once in each cell, each with its own workload (docs/tenants.md). */
    mix: mixSchemaOf(z.enum(BUILTIN_WORKLOADS)).optional(),
  })
  .refine((w) => [w.builtin, w.script, w.mix].filter((x) => x !== undefined).length === 1, {
    message: 'exactly one of "builtin", "script" or "mix"',
  })
  .refine(
    (w) =>
      w.mix === undefined ||
      (w.rate === undefined &&
        w.latency_limit === undefined &&
        w.profile === undefined &&
        w.reconnect === undefined &&
        w.flags.length === 0),
    {
      message:
        'rate, latency_limit, profile, reconnect and flags on each group of a mix, not on the mix (docs/tenants.md)',
      path: ['mix'],
    },
  )
  .refine((w) => !Array.isArray(w.rate) || new Set(w.rate).size === w.rate.length, {
    message: 'a list of distinct rates (each is a cell of its own)',
    path: ['rate'],
  })
  .refine((w) => w.rate === undefined || w.profile === undefined, {
    message: 'either "rate" or "profile", not both (a profile sets the rate of each segment)',
    path: ['profile'],
  })
  .refine(
    (w) => (w.rate === undefined && w.profile === undefined) || !w.flags.some((f) => /^(-R|--rate)/.test(f)),
    { message: 'no -R/--rate in flags when "rate" or "profile" sets it', path: ['flags'] },
  );

export const workloadSchema = z.union([z.enum(BUILTIN_WORKLOADS), workloadObject], {
  error: (issue) =>
    issue.code === 'invalid_union'
      ? `a built-in workload name (${BUILTIN_WORKLOADS.join(', ')}) or an object with name and builtin, script or mix`
      : undefined,
});

const positiveIntList = z.array(z.number().int().positive()).min(1, 'a non-empty list');

/**
 * A `tenant: each` group needs the matrix's `tenants:`; a config's own `tenants:` is a share of the
 * matrix's (its first databases and roles), so it needs them too and cannot be larger.
 */
function tenantRules(
  m: {
    tenants?: { databases: number; roles: number } | undefined;
    configs: ReadonlyArray<{ kind: string; tenants?: { databases: number; roles: number } | undefined }>;
    workloads: ReadonlyArray<string | { mix?: ReadonlyArray<{ tenant?: 'each' }> }>;
  },
  ctx: z.RefinementCtx,
): void {
  m.configs.forEach((c, i) => {
    if (c.tenants === undefined) return;
    const path = ['configs', i, 'tenants'];
    if (m.tenants === undefined) {
      ctx.addIssue({
        code: 'custom',
        path,
        message:
          'a matrix with "tenants: { databases, roles }" (a config holds a share of the matrix\'s tenants)',
      });
      return;
    }
    for (const k of ['databases', 'roles'] as const) {
      if (c.tenants[k] > m.tenants[k])
        ctx.addIssue({
          code: 'custom',
          path: [...path, k],
          message: `at most the matrix's tenants.${k} (${m.tenants[k]}): a config holds the first ${k} of the matrix's`,
        });
    }
  });
  if (m.tenants !== undefined) return;
  m.workloads.forEach((w, i) => {
    if (typeof w === 'string') return;
    w.mix?.forEach((g, j) => {
      if (g.tenant !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['workloads', i, 'mix', j, 'tenant'],
          message:
            'a matrix with "tenants: { databases, roles }" (there are no tenants to spread the group over)',
        });
    });
  });
}

export const matrixSchema = z
  .strictObject({
    name: name.optional(),
    description: z.string().optional(),
    provider: z.enum(['auto', 'native', 'testcontainers', 'external']).default('auto'),
    /**
     * External stacks only: let bench run `pgbench -i` (drops and recreates the pgbench_* tables),
     * and only in a database that holds no other table. Without it the tables must exist.
     */
    init: z.boolean().optional(),
    duration: wholeSeconds(positiveDuration).default(10_000),
    warmup: wholeSeconds(nonNegativeDuration).default(0),
    /** Pause after CHECKPOINT before each cell, so background writes settle. */
    settle: nonNegativeDuration.default(1_000),
    /**
     * How long past its planned duration a pgbench may run before it is killed and the cell
     * recorded as timed-out. Default: the larger of 30 s and half the duration.
     */
    hang_grace: positiveDuration.optional(),
    reps: z.number().int().positive().default(1),
    scale: z.number().int().positive().default(10),
    /** Tenant databases and roles the stack creates (src/matrix/tenants.ts, docs/tenants.md). */
    tenants: tenantsSchema.optional(),
    concurrency: positiveIntList,
    /**
     * The most clients one pgbench process holds; a cell with more runs several pgbench processes
     * started together and merges their logs (docs/many-clients.md). Default: what this machine's
     * open-file limit and pgbench's poll build allow (src/pgbench/split.ts).
     */
    clients_per_pgbench: z.number().int().positive().optional(),
    /** pgbench -j; "auto" = min(clients, cores). */
    threads: z.union([z.literal('auto'), z.number().int().positive()]).default('auto'),
    /** pgbench -M for every cell; a config's or a workload's `protocol` replaces it for theirs. */
    protocol: z.enum(PROTOCOLS).default('simple'),
    /**
     * How clients authenticate, to PostgreSQL and to PgBouncer alike. SCRAM is what current
     * PostgreSQL installs use; its client-side key derivation costs milliseconds per connection,
     * which dominates reconnect-per-transaction workloads. `trust` isolates the pooling effect.
     */
    auth: z.enum(['scram-sha-256', 'trust']).default('scram-sha-256'),
    baseline: name.optional(),
    /**
     * The comparisons the matrix exists for, each a pair [candidate, reference] of config names
     * (`[[pgbouncer-tx, pgbouncer-session]]`): the TL;DR states them first, paired rep by rep with
     * their intervals, whether or not they involve the baseline.
     */
    compare: z
      .array(z.tuple([name, name]))
      .min(1, 'a non-empty list of [candidate, reference] pairs')
      .optional(),
    /**
     * The order of configs inside each rep: `shuffle` draws a new order per rep (recorded in run.json
     * with its seed) so that no config always runs first, right after the settle, or last, when the
     * machine is warm; `fixed` keeps the file's order.
     */
    config_order: z.enum(['shuffle', 'fixed']).default('shuffle'),
    /**
     * How long to wait before each cell for client backends of other configs (a pooler stopped a
     * moment ago) to leave PostgreSQL; if some remain, the cell fails instead of measuring them.
     */
    isolation_wait: nonNegativeDuration.default(10_000),
    /** Seed of the per-rep shuffle; by default a random one, recorded in run.json. */
    seed: z.number().int().nonnegative().optional(),
    sample_interval: positiveDuration.default(1_000),
    /** Keep the raw per-transaction logs in the cell directory after the histogram is built. */
    keep_raw_logs: z.boolean().default(false),
    /** Key type of the run's throwaway CA and server certificate, when a config uses `tls:`. */
    tls_key: tlsKeySchema,
    postgres: z
      .strictObject({
        port: z.number().int().min(1024).max(65535).optional(),
        settings: z.record(z.string(), iniValue).default({}),
      })
      .default({ settings: {} }),
    images: z
      .strictObject({
        postgres: z.string().min(1).optional(),
        pgbouncer: z.string().min(1).optional(),
        pgbench: z.string().min(1).optional(),
      })
      .default({}),
    configs: z.array(configSchema).min(1, 'a non-empty list'),
    workloads: z.array(workloadSchema).min(1, 'a non-empty list'),
    gates: gatesSchema.default({}),
    /** Operations inside the cells of a config: signals, admin commands, restarts, failovers (src/matrix/events.ts). */
    events: z.array(eventSchema).default([]),
    /** Cost cells: instructions and syscalls per transaction of the components (src/matrix/cost.ts). */
    cost: costSchema.optional(),
  })
  .superRefine((m, ctx) => {
    externalRules(m, ctx);
    tenantRules(m, ctx);
    topologyRules(m, ctx);
    groupProfileRules(m, ctx);
    m.configs.forEach((c, i) => {
      const issue = c.kind === 'pgbouncer' && c.workers ? workersListIssues(c.workers) : undefined;
      if (issue) ctx.addIssue({ code: 'custom', path: ['configs', i, 'workers'], message: issue });
    });
    protocolIssues(m, ctx);
    const seen = new Map<string, number>();
    m.configs.forEach((c, i) => {
      const prev = seen.get(c.name);
      if (prev !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['configs', i, 'name'],
          message: `a unique config name ("${c.name}" is also configs[${prev}])`,
        });
      }
      seen.set(c.name, i);
    });
    const wseen = new Map<string, number>();
    m.workloads.forEach((w, i) => {
      const n = typeof w === 'string' ? w : w.name;
      const prev = wseen.get(n);
      if (prev !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['workloads', i],
          message: `a unique workload name ("${n}" is also workloads[${prev}])`,
        });
      }
      wseen.set(n, i);
    });
    // Setting lists (axes) are checked where they expand: src/matrix/axes.ts.
    m.configs.forEach((c, i) => {
      const hop = c.kind === 'pgbouncer' ? c : c.kind === 'proxy' ? c.via_pgbouncer : undefined;
      const owned = Object.keys(hop?.settings ?? {}).filter((k) =>
        (HARNESS_OWNED_PGBOUNCER as readonly string[]).includes(k),
      );
      for (const k of owned) {
        ctx.addIssue({
          code: 'custom',
          path: ['configs', i, ...(c.kind === 'proxy' ? ['via_pgbouncer'] : []), 'settings', k],
          message: `a pgbouncer.ini setting the harness does not own (${HARNESS_OWNED_PGBOUNCER.join(', ')} are set by bench)`,
        });
      }
    });
    m.configs.forEach((c, i) => {
      if (c.kind !== 'proxy' || typeof c.command !== 'string') return;
      const split = splitCommandWords(c.command);
      if (!split.ok) {
        ctx.addIssue({
          code: 'custom',
          path: ['configs', i, 'command'],
          message: `a command split into words as a shell would, without a shell: ${split.error}`,
        });
      }
    });
    m.configs.forEach((c, i) => {
      if (c.kind !== 'proxy' || c.command === undefined) return;
      const text = [
        Array.isArray(c.command) ? c.command.join(' ') : c.command,
        ...Object.values(c.files).map((f) => ('text' in f ? f.text : '')),
      ].join('\n');
      // A template given by path is read at run time: it may be where {port} is.
      const byPath = Object.values(c.files).some((f) => 'path' in f);
      if (!byPath && !text.includes('{port}')) {
        ctx.addIssue({
          code: 'custom',
          path: ['configs', i, 'command'],
          message:
            'a command that contains the {port} placeholder (where the proxy must listen), or a file of its files: that does',
        });
      }
    });
    m.configs.forEach((c, i) => {
      for (const t of tlsIssues(c))
        ctx.addIssue({ code: 'custom', path: ['configs', i, ...t.path], message: t.message });
    });
    const cseen = new Set<number>();
    m.concurrency.forEach((c, i) => {
      if (cseen.has(c)) {
        ctx.addIssue({ code: 'custom', path: ['concurrency', i], message: `unique values (${c} repeats)` });
      }
      cseen.add(c);
    });
    // baseline and compare name configs as expanded from their axes: checked in src/matrix/axes.ts.
  });

/** The validated file, before its axes are expanded. */
export type ParsedMatrix = z.output<typeof matrixSchema>;
/** The matrix the runner uses: configs and workloads with their axes expanded (src/matrix/axes.ts). */
export type MatrixSpec = Omit<ParsedMatrix, 'configs'> & { configs: ConfigSpec[] };

/**
 * Protocol lists without repeats; and protocol set per config or per workload, not both: a config
 * named `<name>-prepared` whose cells ran a workload's own protocol would say one thing and run another.
 */
function protocolIssues(
  m: { configs: Array<{ protocol?: unknown }>; workloads: Array<string | { protocol?: unknown }> },
  ctx: z.RefinementCtx,
): void {
  const items = [
    ...m.configs.map((c, i) => ({ p: c.protocol, path: ['configs', i, 'protocol'] })),
    ...m.workloads.map((w, i) => ({
      p: typeof w === 'string' ? undefined : w.protocol,
      path: ['workloads', i, 'protocol'],
    })),
  ];
  for (const it of items) {
    const issue = protocolListIssues(it.p as Parameters<typeof protocolListIssues>[0]);
    if (issue) ctx.addIssue({ code: 'custom', path: it.path, message: issue });
  }
  const byConfig = items.find((it) => it.path[0] === 'configs' && it.p !== undefined);
  const byWorkload = items.find((it) => it.path[0] === 'workloads' && it.p !== undefined);
  if (byConfig && byWorkload) {
    ctx.addIssue({
      code: 'custom',
      path: byWorkload.path,
      message: `protocol per config or per workload, not both (${byConfig.path[0]}[${byConfig.path[1]}].protocol sets it too)`,
    });
  }
}
