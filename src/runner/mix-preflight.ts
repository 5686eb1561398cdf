import { ConfigurationError } from '../errors.js';
import { concurrencyOf } from '../matrix/concurrency.js';
import type { Matrix } from '../matrix/load.js';
import { mixClients } from '../matrix/mix.js';
import { type ConfigSpec, pgbouncerHopOf } from '../matrix/schema.js';
import { tenantDatabases, tenantRoles, tenantsOf } from '../matrix/tenants.js';
import { BENCH_DB } from '../stack/cluster.js';
import { configRoles } from '../stack/roles.js';
import { pgbouncerSizing, postgresSizing, SERVER_MARGIN } from '../stack/sizing.js';
import { ownTenants } from './plan.js';

/**
 * What a config's stack has for a mix's groups to name: the databases and roles the stack creates
 * (today the bench database and the config's own role; tenants will add more) and the clients it
 * was sized for (PgBouncer's max_client_conn; without a PgBouncer, PostgreSQL's max_connections
 * less the harness's margin). Undefined for an external config: the run neither creates nor sizes it.
 */
export interface StackRoom {
  databases: string[];
  roles: string[];
  clients: number;
  /** Where the client bound comes from, for the message. */
  clientsFrom: string;
}

export function stackRoom(
  m: Matrix,
  c: ConfigSpec,
  roles: ReadonlyMap<string, string>,
  hostMemoryBytes: number,
): StackRoom | undefined {
  if (c.kind === 'external') return undefined;
  const role = roles.get(c.name);
  const bouncer = pgbouncerHopOf(c) ? pgbouncerSizing(m.spec, c.name) : undefined;
  const pg = postgresSizing(m.spec, hostMemoryBytes).maxConnections;
  return {
    databases: [BENCH_DB, ...tenantDatabases(tenantsOf(m.spec, c.name))],
    roles: role === undefined ? [] : [role, ...tenantRoles(role, tenantsOf(m.spec, c.name))],
    ...(bouncer
      ? {
          clients: bouncer.maxClientConn,
          clientsFrom: `PgBouncer's max_client_conn ${bouncer.maxClientConn}`,
        }
      : {
          clients: pg - SERVER_MARGIN,
          clientsFrom: `max_connections ${pg} less ${SERVER_MARGIN} for the harness`,
        }),
  };
}

/** A list for a message: the first few names and how many more (tenants make hundreds). */
function few(names: readonly string[]): string {
  const shown = names.slice(0, 4).join(', ');
  return names.length > 4 ? `${shown} and ${names.length - 4} more` : shown;
}

/** The first problem of one mix under one config, as `field: expected ..., got ...`; undefined when it fits. */
export function mixIssue(
  o: { at: string; config: string; factor: number },
  groups: readonly { name: string; clients: number; database?: string; role?: string }[],
  room: StackRoom,
): string | undefined {
  for (const [j, g] of groups.entries()) {
    if (g.database !== undefined && !room.databases.includes(g.database))
      return `${o.at}.mix[${j}].database: expected a database the stack creates for config ${o.config} (${few(room.databases)}), "${g.database}" does not exist`;
    if (g.role !== undefined && !room.roles.includes(g.role))
      return `${o.at}.mix[${j}].role: expected a role the stack creates for config ${o.config} (${few(room.roles)}: each config logs in as its own role), "${g.role}" does not exist`;
  }
  const total = mixClients(groups, o.factor);
  if (total > room.clients)
    return `${o.at}.mix: expected groups whose clients fit what the stack is sized for under config ${o.config} (${room.clientsFrom}), at concurrency ${o.factor} they hold ${total} (${groups.map((g) => `${g.name} ${g.clients * o.factor}`).join(', ')})`;
  return undefined;
}

/**
 * Before anything starts: every mix under every config that runs it names only databases and roles
 * the stack has and fits the clients the stack is sized for; else exit 2 with the field path.
 */
export function checkMixes(m: Matrix, hostMemoryBytes: number): void {
  const roles = configRoles(m.spec.configs);
  m.spec.workloads.forEach((spec, i) => {
    const w = m.workloads.find((x) => typeof spec !== 'string' && x.name === spec.name);
    if (!w?.mix) return;
    for (const c of m.spec.configs) {
      const room = stackRoom(m, c, roles, hostMemoryBytes);
      const named = w.mix.some((g) => g.database !== undefined || g.role !== undefined);
      if (!room && named)
        throw new ConfigurationError(
          `${m.file}: workloads[${i}].mix: expected no database or role per group under external config ${c.name} (bench neither creates nor checks an external stack's databases and roles)`,
        );
      if (!room) continue;
      const factor = Math.max(...concurrencyOf(m.spec, c.name));
      const groups = ownTenants(w, tenantsOf(m.spec, c.name)).mix ?? [];
      const issue = mixIssue({ at: `workloads[${i}]`, config: c.name, factor }, groups, room);
      if (issue) throw new ConfigurationError(`${m.file}: ${issue}`);
    }
  });
}
