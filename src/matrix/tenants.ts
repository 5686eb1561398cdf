import { z } from 'zod';

/**
 * `tenants: { databases: D, roles: R }` on the matrix (docs/tenants.md): the stack creates D
 * databases (`bench_t1`..) beside `bench`, copied from it (pgbench tables included), and R roles
 * per config (`<config role>_r1`..), so every tenant role still names its config in
 * pg_stat_activity. A `tenant: each` group of a mix is expanded into one group per (database, role)
 * pair; PgBouncer gets a `[databases]` entry per database and an auth_file line per role, so one pool
 * per pair. On the matrix, not a config: the databases are made once per run and shared by every
 * config, like `scale`; the roles are made per config.
 */
export const tenantsSchema = z.strictObject({
  databases: z.number().int().positive().max(2000, 'at most 2000 tenant databases'),
  roles: z.number().int().positive().max(100, 'at most 100 tenant roles per config'),
});

export type Tenants = z.infer<typeof tenantsSchema>;

/** PostgreSQL truncates identifiers to 63 bytes. */
const MAX_IDENT = 63;

export function tenantDatabase(i: number): string {
  return `bench_t${i}`;
}

/** The 1-based index of a tenant database (`bench_t7` -> 7); undefined for any other name. */
function tenantDatabaseIndex(name: string): number | undefined {
  const m = /^bench_t([1-9]\d*)$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * The tenants a config holds: its own `tenants:` (the first D databases and the first R roles of
 * the matrix's, checked in src/matrix/schema.ts), else the matrix's. Two configs can then hold
 * different pool counts in one run, each through its own PgBouncer with only its own pools
 * (docs/tenants.md, "Many pools").
 */
export function tenantsOf(
  spec: {
    tenants?: Tenants | undefined;
    configs: readonly { name: string; tenants?: Tenants | undefined }[];
  },
  config: string,
): Tenants | undefined {
  if (spec.tenants === undefined) return undefined;
  return spec.configs.find((c) => c.name === config)?.tenants ?? spec.tenants;
}

/** How many (database, role) pairs: one copy of a `tenant: each` group per pair (1 without tenants). */
export function pairCount(t: Tenants | undefined): number {
  return t ? t.databases * t.roles : 1;
}

/**
 * Whether a group of a mix runs on a config holding tenants `t`: a group spread over the matrix's
 * tenants (it has a tenant role) runs only when its database and role are among the config's.
 */
export function inTenants(
  g: { database?: string | undefined; tenantRole?: number | undefined },
  t: Tenants | undefined,
): boolean {
  if (g.tenantRole === undefined) return true;
  const db = g.database === undefined ? undefined : tenantDatabaseIndex(g.database);
  return t !== undefined && db !== undefined && db <= t.databases && g.tenantRole <= t.roles;
}

/** Tenant databases, 1-based: bench_t1 .. bench_t<D>. */
export function tenantDatabases(t: Tenants | undefined): string[] {
  return t ? Array.from({ length: t.databases }, (_, i) => tenantDatabase(i + 1)) : [];
}

/** Tenant role `j` (1-based) of the config whose role is `configRole`: `<configRole>_r<j>`, at most 63 bytes. */
export function tenantRole(configRole: string, j: number): string {
  const suffix = `_r${j}`;
  return `${configRole.slice(0, MAX_IDENT - suffix.length)}${suffix}`;
}

export function tenantRoles(configRole: string, t: Tenants | undefined): string[] {
  return t ? Array.from({ length: t.roles }, (_, j) => tenantRole(configRole, j + 1)) : [];
}

/** Every (database, role index) pair, databases outer: the order `tenant: each` groups run in. */
export function tenantPairs(t: Tenants): Array<{ database: string; role: number }> {
  return tenantDatabases(t).flatMap((database) =>
    Array.from({ length: t.roles }, (_, j) => ({ database, role: j + 1 })),
  );
}

/**
 * Whether `user` is the config's own: its role or one of its tenant roles. The harness's isolation
 * checks and the samplers' foreign-backend count then keep a config's tenants out of "foreign".
 */
export function isOwnRole(configRole: string, user: string): boolean {
  if (user === configRole) return true;
  const m = /_r([1-9]\d*)$/.exec(user);
  return m !== null && tenantRole(configRole, Number(m[1])) === user;
}
