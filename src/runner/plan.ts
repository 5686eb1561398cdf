import { type Cell, cellId } from '../matrix/expand.js';
import type { Matrix } from '../matrix/load.js';

/** The order configs ran in, per rep; recorded in run.json so a resumed run keeps it. */
export interface ConfigOrder {
  mode: 'shuffle' | 'fixed';
  seed: number;
  /** rep number -> config names in execution order. */
  reps: Record<string, string[]>;
}

/** mulberry32: a small, well-mixed 32-bit PRNG; deterministic for a seed, so the order is reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
      for (const w of m.workloads) {
        for (const n of m.spec.concurrency) {
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
  return cells;
}

/** Positions where the config changes: the previous config's path stops, the next one's starts. */
export function switchesConfig(cells: readonly Cell[], i: number): boolean {
  return i === 0 || cells[i - 1]?.config !== cells[i]?.config;
}
