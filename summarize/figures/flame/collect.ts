import { type Folded, mergeFolded, parseFolded, totalSamples } from '../../../src/profile/fold.js';
import type { CellRecord } from '../../../src/results/types.js';

/** The profiled cells of one (config, workload, component), their folded stacks summed. */
export interface FlameGroup {
  config: string;
  workload: string;
  component: string;
  stacks: Folded;
  samples: number;
  /** Cell ids whose stacks are in the sum. */
  cells: string[];
  reps: number[];
  clients: number[];
  /** perf's sampling frequency, when every cell recorded the same one. */
  sampleFrequencyHz?: number;
  /** Profiled cells whose folded file is missing or unreadable, with why. */
  missing: string[];
}

/** Reads a cell's folded file; undefined when it is gone (a hand-pruned run). I/O: summarize/input/. */
export type ReadFolded = (dir: string, cellId: string, file: string) => string | undefined;

const key = (c: string, w: string, k: string) => JSON.stringify([c, w, k]);

function addCell(
  g: FlameGroup,
  cell: CellRecord,
  text: string | undefined,
  file: string,
): Folded | undefined {
  if (text === undefined) {
    g.missing.push(`${cell.id}/${file}`);
    return undefined;
  }
  if (!g.cells.includes(cell.id)) g.cells.push(cell.id);
  if (!g.reps.includes(cell.rep)) g.reps.push(cell.rep);
  if (!g.clients.includes(cell.concurrency)) g.clients.push(cell.concurrency);
  return parseFolded(text).stacks;
}

/**
 * Every profiled component's stacks per (config, workload), summed over reps and client counts
 * (all reps merged: counts of the same stack add up). Completed cells only: a failed cell's
 * numbers are never merged into a figure.
 */
export function flameGroups(
  cells: readonly { cell: CellRecord; dir: string }[],
  read: ReadFolded,
): FlameGroup[] {
  const groups = new Map<string, { g: FlameGroup; sets: Folded[]; freqs: Set<number | undefined> }>();
  for (const { cell, dir } of cells) {
    if (cell.state !== 'completed' || !cell.profile) continue;
    for (const p of cell.profile.components) {
      if (!p.file) continue;
      const k = key(cell.config, cell.workload, p.component);
      let e = groups.get(k);
      if (!e) {
        const g: FlameGroup = {
          config: cell.config,
          workload: cell.workload,
          component: p.component,
          stacks: new Map(),
          samples: 0,
          cells: [],
          reps: [],
          clients: [],
          missing: [],
        };
        e = { g, sets: [], freqs: new Set() };
        groups.set(k, e);
      }
      const stacks = addCell(e.g, cell, read(dir, cell.id, p.file), p.file);
      if (stacks) {
        e.sets.push(stacks);
        e.freqs.add(p.sampleFrequencyHz);
      }
    }
  }
  return [...groups.values()].map(({ g, sets, freqs }) => {
    const stacks = mergeFolded(sets);
    const [freq] = [...freqs];
    return {
      ...g,
      stacks,
      samples: totalSamples(stacks),
      reps: [...g.reps].sort((a, b) => a - b),
      clients: [...g.clients].sort((a, b) => a - b),
      ...(freqs.size === 1 && freq !== undefined ? { sampleFrequencyHz: freq } : {}),
    };
  });
}

/** `plots/flame-<config>-<workload>-<component>.svg`'s name inside plots/. */
export function flameFile(g: Pick<FlameGroup, 'config' | 'workload' | 'component'>): string {
  return `flame-${g.config}-${g.workload}-${g.component}.svg`;
}
