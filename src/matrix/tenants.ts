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
