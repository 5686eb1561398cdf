import type { Matrix } from '../matrix/load.js';
import type { ConfigSpec } from '../matrix/schema.js';
import { type Workload, workloadFlags } from '../matrix/workload.js';
import type { Endpoint } from '../pgbench/types.js';
import type { CostMethod } from '../results/cost-types.js';
import { prng } from '../util/prng.js';

/** A component a cost cell counts (postgres is refused by the matrix schema, src/matrix/cost.ts). */
export type CountedRole = 'proxy' | 'pgbouncer';

/** One cost cell, decided from the matrix alone. */
export interface CostCell {
  id: string;
  /** Position in execution order, 0-based. */
  index: number;
  config: string;
  workload: string;
  method: CostMethod;
  /** Total transactions (clients x perClient). */
  transactions: number;
  clients: number;
  /** pgbench -t. */
  perClient: number;
  /** 1-based. */
  repeat: number;
  reconnect: boolean;
  /** The components of this config that are counted, client side first. */
  roles: CountedRole[];
}

export function costCellId(
  config: string,
  workload: string,
  t: number,
  repeat: number,
  m: CostMethod,
): string {
  return `cost__${config}__${workload}__t${t}__r${repeat}__${m}`;
}

/** The components of a config's path that the cost block counts, client side first. */
export function countedRoles(c: ConfigSpec, wanted: readonly string[]): CountedRole[] {
  const path: CountedRole[] =
    c.kind === 'proxy'
      ? ['proxy', ...(c.via_pgbouncer ? (['pgbouncer'] as const) : [])]
      : c.kind === 'pgbouncer'
        ? ['pgbouncer']
        : [];
  return path.filter((r) => wanted.includes(r));
}

/**
 * Workloads a cost cell can run: a fixed count, so not a segment of a load profile, and one stream,
 * so not a mix (its groups run side by side for a time; a count per group is not built).
 */
export function costWorkloads(m: Matrix): Workload[] {
  return m.workloads.filter((w) => w.load?.segment === undefined && w.mix === undefined);
}

/**
 * Every cost cell in execution order: repeats outermost (like reps), and inside a repeat every
 * (config, workload, count, method) in an order shuffled per repeat from `seed`, so neither a
 * config nor a count always runs first. Configs with nothing to count (direct) have no cost cells.
 */
export function planCostCells(m: Matrix, seed: number): CostCell[] {
  const cost = m.spec.cost;
  if (!cost) return [];
  const next = prng(seed);
  const cells: CostCell[] = [];
  for (let repeat = 1; repeat <= cost.repeats; repeat++) {
    const block: Omit<CostCell, 'index'>[] = [];
    for (const c of m.spec.configs) {
      const roles = countedRoles(c, cost.components);
      if (roles.length === 0) continue;
      for (const w of costWorkloads(m)) {
        for (const t of [...new Set(cost.transactions)]) {
          for (const method of cost.methods) {
            block.push({
              id: costCellId(c.name, w.name, t, repeat, method),
              config: c.name,
              workload: w.name,
              method,
              transactions: t,
              clients: cost.clients,
              perClient: t / cost.clients,
              repeat,
              reconnect: w.reconnect,
              roles,
            });
          }
        }
      }
    }
    for (let i = block.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [block[i], block[j]] = [block[j] as Omit<CostCell, 'index'>, block[i] as Omit<CostCell, 'index'>];
    }
    for (const b of block) cells.push({ ...b, index: cells.length });
  }
  return cells;
}

/** Configs the cost block counts nothing in (direct, or a path without the listed components). */
export function uncountedConfigs(m: Matrix): string[] {
  const cost = m.spec.cost;
  if (!cost) return [];
  return m.spec.configs.filter((c) => countedRoles(c, cost.components).length === 0).map((c) => c.name);
}

/** pgbench for a cost cell: a fixed count (-t) instead of a duration, no progress, no per-transaction log. */
export function costArgv(
  endpoint: Endpoint,
  w: Workload,
  cell: Pick<CostCell, 'clients' | 'perClient'>,
  protocol: string,
): string[] {
  return [
    '-h',
    endpoint.host,
    '-p',
    String(endpoint.port),
    '-U',
    endpoint.user,
    '-n',
    '-c',
    String(cell.clients),
    '-j',
    '1',
    '-t',
    String(cell.perClient),
    '-M',
    protocol,
    ...workloadFlags(w),
    '--failures-detailed',
    endpoint.database,
  ];
}
