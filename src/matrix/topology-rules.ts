import type { z } from 'zod';

/**
 * Pool topologies (`pool_per_group`, `pgbouncer_per_group`: src/stack/group-pools.ts,
 * docs/tenants.md) and the groups' own `pool_size:`, checked as data: what the stack would build
 * otherwise is not what the matrix says. Plain shapes: schema.ts runs these rules inside its own
 * validation, so this file must not import schema.ts's types (that would be a circle).
 */
interface HopFields {
  pool_per_group?: boolean | undefined;
  pgbouncer_per_group?: boolean | undefined;
}
interface MatrixFields {
  configs: ReadonlyArray<
    {
      kind: string;
      name: string;
      workers?: number | number[] | undefined;
      via_pgbouncer?: unknown;
    } & HopFields
  >;
  workloads: ReadonlyArray<string | { mix?: ReadonlyArray<GroupFields> }>;
}
interface GroupFields {
  name: string;
  pool_size?: number | undefined;
  tenant?: string | undefined;
}
export type TopologyIssue = { path: (string | number)[]; message: string };

const FLAGS = ['pool_per_group', 'pgbouncer_per_group'] as const;

/** The topology flags a config's own PgBouncer sets (kind pgbouncer only). */
export function topologyFlags(c: HopFields): Array<(typeof FLAGS)[number]> {
  return FLAGS.filter((f) => c[f] === true);
}

const WORKERS_WHY: Record<(typeof FLAGS)[number], string> = {
  pool_per_group:
    'each so_reuseport worker would hold its own copy of every group pool, so a group would get N times its pool and its waiting would be split over processes it cannot choose',
  pgbouncer_per_group:
    "each group already has a PgBouncer process of its own; workers would multiply the config's own process only, and the groups' pools would no longer add up to the shared pool they are compared with",
};

/** One config's topology issues: both flags, either with several workers, either behind a proxy. */
function configIssues(c: MatrixFields['configs'][number], i: number): TopologyIssue[] {
  if (c.kind === 'proxy') {
    const hop = (c.via_pgbouncer ?? {}) as HopFields;
    return topologyFlags(hop).map((f) => ({
      path: ['configs', i, 'via_pgbouncer', f],
      message: `no ${f} behind a proxy (a pool topology is a PgBouncer config's: the proxy, not bench, chooses which PgBouncer database or port its clients reach, so the groups would not get the pools the matrix says)`,
    }));
  }
  const flags = topologyFlags(c);
  const [first, second] = flags;
  if (first === undefined) return [];
  if (second !== undefined)
    return [
      {
        path: ['configs', i, second],
        message: `one pool topology per config, not both ${first} and ${second} (a config is one topology; make two configs to compare them)`,
      },
    ];
  const workers = Array.isArray(c.workers) ? c.workers : [c.workers ?? 1];
  const many = workers.find((n) => n > 1);
  if (many === undefined) return [];
  return [
    {
      path: ['configs', i, 'workers'],
      message: `one PgBouncer process with ${first} (workers: ${many} is not built: ${WORKERS_WHY[first]})`,
    },
  ];
}

/**
 * A group's `pool_size:` sizes its own pool, so some config must give it one; and a group name
 * keeps one pool for the whole matrix, so two mixes may not give it two sizes.
 */
function poolSizeIssues(m: MatrixFields): TopologyIssue[] {
  const separated = m.configs.some((c) => c.kind === 'pgbouncer' && topologyFlags(c).length > 0);
  const seen = new Map<string, { size: number; at: string }>();
  const out: TopologyIssue[] = [];
  m.workloads.forEach((w, i) => {
    if (typeof w === 'string') return;
    w.mix?.forEach((g, j) => {
      if (g.pool_size === undefined) return;
      const path = ['workloads', i, 'mix', j, 'pool_size'];
      if (g.tenant !== undefined) {
        out.push({
          path,
          message:
            'no pool_size on a "tenant: each" group (each of its copies connects to its own (database, role) pair, already a pool of its own of default_pool_size, not to a group pool)',
        });
        return;
      }
      if (!separated) {
        out.push({
          path,
          message:
            'a config with pool_per_group or pgbouncer_per_group for a group pool_size (every config here runs the mix through one shared pool, so the size would size nothing)',
        });
        return;
      }
      const prev = seen.get(g.name);
      if (prev && prev.size !== g.pool_size)
        out.push({
          path,
          message: `one pool_size per group name (a group name keeps one pool for the whole matrix; ${prev.at} gives "${g.name}" ${prev.size}, this ${g.pool_size})`,
        });
      if (!prev) seen.set(g.name, { size: g.pool_size, at: `workloads[${i}].mix[${j}]` });
    });
  });
  return out;
}

export function topologyIssues(m: MatrixFields): TopologyIssue[] {
  return [...m.configs.flatMap(configIssues), ...poolSizeIssues(m)];
}

export function topologyRules(m: MatrixFields, ctx: z.RefinementCtx): void {
  for (const t of topologyIssues(m)) ctx.addIssue({ code: 'custom', path: t.path, message: t.message });
}
