import { concurrencyOf } from '../matrix/concurrency.js';
import { type CellEvent, eventsFor } from '../matrix/events.js';
import { type Cell, cellId } from '../matrix/expand.js';
import type { Matrix } from '../matrix/load.js';
import { workloadBlocks } from '../matrix/load-variants.js';
import { cellClients, groupsAt } from '../matrix/mix.js';
import { cellProtocol, type Protocol } from '../matrix/protocol.js';
import { inTenants, type Tenants, tenantsOf } from '../matrix/tenants.js';
import type { MixGroup, Workload } from '../matrix/workload.js';
import { autoThreads } from '../pgbench/argv.js';
import { clientsPerProcess } from '../pgbench/split.js';
import { prng } from '../util/prng.js';

/** The order configs ran in, per rep; recorded in run.json so a resumed run keeps it. */
export interface ConfigOrder {
  mode: 'shuffle' | 'fixed';
  seed: number;
  /** rep number -> config names in execution order. */
  reps: Record<string, string[]>;
}

/**
 * One order of the configs per rep. `shuffle` draws each rep's order (Fisher-Yates) from one seeded
 * stream, so no config always runs first (after the longest idle) or last; `fixed` keeps the
 * matrix's order in every rep.
 */
export function configOrder(
  configs: readonly string[],
  reps: number,
  mode: 'shuffle' | 'fixed',
  seed: number,
): ConfigOrder {
  const next = prng(seed);
  const out: Record<string, string[]> = {};
  for (let rep = 1; rep <= reps; rep++) {
    const order = [...configs];
    if (mode === 'shuffle') {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [order[i], order[j]] = [order[j] as string, order[i] as string];
      }
    }
    out[String(rep)] = order;
  }
  return { mode, seed, reps: out };
}

/**
 * Every cell in execution order: reps outermost (all of rep 1 before any of rep 2, so drift spreads
 * over every config), then the rep's config order, then workloads and concurrency. A config's cells
 * of one rep are consecutive: its pooler/proxy is started before them and stopped after them.
 */
export function planCells(m: Matrix, order: ConfigOrder): Cell[] {
  const cells: Cell[] = [];
  for (let rep = 1; rep <= m.spec.reps; rep++) {
    for (const config of order.reps[String(rep)] ?? m.spec.configs.map((c) => c.name)) {
      // A profile's segments are one block: they run back to back at each concurrency.
      for (const block of workloadBlocks(m.workloads)) {
        for (const n of concurrencyOf(m.spec, config)) {
          for (const w of block) {
            cells.push({
              id: cellId(config, w.name, n, rep),
              index: cells.length,
              config,
              workload: w.name,
              concurrency: n,
              rep,
            });
          }
        }
      }
    }
  }
  return cells;
}

/** Positions where the config changes: the previous config's path stops, the next one's starts. */
export function switchesConfig(cells: readonly Cell[], i: number): boolean {
  return i === 0 || cells[i - 1]?.config !== cells[i]?.config;
}

/** One client group of a mix cell: its clients and rate at the cell's factor, and its pgbench threads. */
export interface GroupPlan extends MixGroup {
  threads: number;
}

/** pgbench -j: the matrix's `threads`, or min(clients, cores), never more than the clients. */
function threadsFor(threads: Matrix['spec']['threads'], clients: number, cores: number): number {
  return threads === 'auto' ? autoThreads(clients, cores) : Math.min(threads, clients);
}

/**
 * A mix's groups at the cell's concurrency (a factor on their clients and rates: src/matrix/mix.ts),
 * each with its own threads as a cell of that many clients would have.
 */
export function groupPlans(
  mix: readonly MixGroup[],
  factor: number,
  threads: Matrix['spec']['threads'],
  cores: number,
): GroupPlan[] {
  return groupsAt(mix, factor).map((g) => ({ ...g, threads: threadsFor(threads, g.clients, cores) }));
}

/** A mix's groups on a config holding tenants `t`: the copies of `tenant: each` groups for its own pairs only. */
export function ownTenants(w: Workload, t: Tenants | undefined): Workload {
  return w.mix ? { ...w, mix: w.mix.filter((g) => inTenants(g, t)) } : w;
}

/** What one cell runs with, decided from the matrix alone (no stack, no clock). */
export interface CellSettings {
  workload: Workload;
  /** pgbench -j: the matrix's `threads`, or min(clients, cores), never more than the clients (a mix: its groups' sum). */
  threads: number;
  /** A mix's client groups, run at once (src/matrix/mix.ts). */
  groups?: GroupPlan[];
  durationMs: number;
  warmupMs: number;
  protocol: Protocol;
  keepRawLogs: boolean;
  /** The matrix's `hang_grace`; absent means the default, hangGraceMs(duration) in cell.ts. */
  hangGraceMs?: number;
  /** The most clients one pgbench process holds; a cell with more runs several (src/pgbench/split.ts). */
  clientsPerProcess: number;
  /** Events scheduled inside the cell (the matrix's events that target its config and fall in this cell). */
  events?: CellEvent[];
  /** The samplers' settings for this cell; absent when sampling is off. */
  sampling?: { intervalMs: number; durationMs: number; clients: number };
}

/** The settings of one cell; throws on a workload the matrix does not define (a planner bug). */
export function cellSettings(
  m: Matrix,
  cell: Cell,
  env: { cores: number; sampling: boolean; nofileSoft?: number | undefined },
): CellSettings {
  const found = m.workloads.find((w) => w.name === cell.workload);
  if (!found) throw new Error(`internal: workload ${cell.workload} not found`);
  const { spec } = m;
  const workload = ownTenants(found, tenantsOf(spec, cell.config));
  const durationMs = workload.durationMs ?? spec.duration;
  // A profile's later segments continue it: no warmup between segments.
  const warmupMs = (workload.load?.segment?.index ?? 1) > 1 ? 0 : spec.warmup;
  const groups = workload.mix
    ? groupPlans(workload.mix, cell.concurrency, spec.threads, env.cores)
    : undefined;
  const segment = workload.load?.segment;
  const events = eventsFor(spec.events, cell.config, { durationMs, ...(segment ? { segment } : {}) });
  return {
    workload,
    threads: groups
      ? groups.reduce((a, g) => a + g.threads, 0)
      : threadsFor(spec.threads, cell.concurrency, env.cores),
    ...(groups ? { groups } : {}),
    durationMs,
    warmupMs,
    protocol: cellProtocol(
      spec.configs.find((c) => c.name === cell.config),
      workload,
      spec.protocol,
    ),
    keepRawLogs: spec.keep_raw_logs,
    clientsPerProcess: clientsPerProcess({ override: spec.clients_per_pgbench, nofileSoft: env.nofileSoft }),
    ...(spec.hang_grace === undefined ? {} : { hangGraceMs: spec.hang_grace }),
    ...(events.length > 0 ? { events } : {}),
    ...(env.sampling
      ? {
          sampling: {
            intervalMs: spec.sample_interval,
            durationMs,
            clients: cellClients(workload, cell.concurrency),
          },
        }
      : {}),
  };
}

/** States that end a cell for good; `interrupted` and `skipped` cells run again on resume. */
const FINISHED: ReadonlySet<string> = new Set(['completed', 'failed', 'timed-out']);

export function isFinished(state: string): boolean {
  return FINISHED.has(state);
}

/** The cells still to run: those with no finished record from an earlier session of the run. */
export function remainingCells(
  cells: readonly Cell[],
  previous: readonly { id: string; state: string }[],
): Cell[] {
  const done = new Set(previous.filter((c) => isFinished(c.state)).map((c) => c.id));
  return cells.filter((c) => !done.has(c.id));
}

/** Mean time per finished cell times the cells left; undefined before the first cell ends. */
export function etaMs(cellMs: readonly number[], left: number): number | undefined {
  if (cellMs.length === 0) return undefined;
  return (cellMs.reduce((a, b) => a + b, 0) / cellMs.length) * left;
}
