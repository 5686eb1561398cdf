import type { ConfigSpec } from '../matrix/schema.js';
import { isOwnRole, type Tenants, tenantRoles } from '../matrix/tenants.js';

/**
 * Each config reaches PostgreSQL as its own login role, so pg_stat_activity attributes every server
 * backend to the config whose path opened it, whatever a proxy does with its connections (a pooler
 * that caches server connections across clients still logs in as the client's user). The harness's
 * own connections (init, CHECKPOINT, the samplers) use the superuser `bench`, never a config role.
 */
export const ROLE_PREFIX = 'bench_';

/** PostgreSQL truncates identifiers to 63 bytes (NAMEDATALEN - 1). */
const MAX_IDENT = 63;

/**
 * Config name -> role name: `bench_<name>` lowercased, with characters outside [a-z0-9_] replaced
 * by `_`; a collision after that (`a-b` and `a_b`) or a name too long gets the config's index
 * appended. Pure and deterministic, so a resumed run and summarize agree on the names.
 */
export function configRoles(configs: ReadonlyArray<Pick<ConfigSpec, 'name'>>): Map<string, string> {
  const roles = new Map<string, string>();
  const taken = new Set<string>();
  configs.forEach((c, i) => {
    let role = `${ROLE_PREFIX}${c.name.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
    if (role.length > MAX_IDENT || taken.has(role)) {
      const suffix = `_${i}`;
      role = `${role.slice(0, MAX_IDENT - suffix.length)}${suffix}`;
    }
    taken.add(role);
    roles.set(c.name, role);
  });
  return roles;
}

/**
 * Creates the login roles (one per config, and its tenant roles) with the run's password and returns each role's SCRAM verifier
 * (for PgBouncer's auth_file). The roles are superusers like `bench` itself, so a custom script may
 * do whatever it did before attribution existed (TRUNCATE, CREATE, pg_sleep); what changes is only
 * the name pg_stat_activity shows for the config's backends.
 */
export async function createConfigRoles(
  query: (sql: string, params?: unknown[]) => Promise<{ rows: Array<Record<string, unknown>> }>,
  roles: Iterable<string>,
  password: string,
): Promise<Map<string, string>> {
  const verifiers = new Map<string, string>();
  for (const role of roles) {
    const ident = `"${role.replaceAll('"', '""')}"`;
    // A literal, not a parameter: CREATE ROLE takes no bind parameters. The password is generated
    // (base64url), so it holds no quote; it is hashed by the server and never logged.
    await query(`CREATE ROLE ${ident} LOGIN SUPERUSER PASSWORD '${password.replaceAll("'", "''")}'`);
    const r = await query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [role]);
    const v = r.rows[0]?.rolpassword;
    verifiers.set(role, typeof v === 'string' ? v : '');
  }
  return verifiers;
}

/** Two configs whose roles a reader cannot tell apart: `role` of `config` reads as `other`'s own. */
export interface RoleCollision {
  config: string;
  role: string;
  other: string;
  otherRole: string;
}

/**
 * The first role of a config (its own or a tenant role, `<role>_r<j>`) that attribution would
 * count as another config's (src/matrix/tenants.ts isOwnRole): config `a` (bench_a) beside config
 * `a_r1` (bench_a_r1), or `a-r1` (sanitized to the same). isOwnRole does not know the tenant count,
 * so the collision counts with or without `tenants:`: a_r1's backends would be counted as a's in the
 * isolation check either way, and with tenants CREATE ROLE would fail on the second bench_a_r1.
 */
export function roleCollision(
  configs: ReadonlyArray<Pick<ConfigSpec, 'name' | 'kind'>>,
  tenants: Tenants | undefined,
): RoleCollision | undefined {
  // An external config's stack is not bench's: it creates no role there and checks no isolation.
  const local = new Set(configs.filter((c) => c.kind !== 'external').map((c) => c.name));
  const roles = [...configRoles(configs)].filter(([c]) => local.has(c));
  // Own roles first, then tenant roles: `a_r1` beside `a` is reported at a_r1, the name to change.
  const candidates = [
    ...roles.map(([config, role]) => ({ config, role })),
    ...roles.flatMap(([config, role]) => tenantRoles(role, tenants).map((r) => ({ config, role: r }))),
  ];
  for (const { config, role } of candidates) {
    const hit = roles.find(([other, otherRole]) => other !== config && isOwnRole(otherRole, role));
    if (hit) return { config, role, other: hit[0], otherRole: hit[1] };
  }
  return undefined;
}
