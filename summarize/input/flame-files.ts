import { readFileSync } from 'node:fs';
import path from 'node:path';
import { runPaths } from '../../src/results/paths.js';
import { type FlameGroup, flameGroups, type ReadFolded } from '../figures/flame/collect.js';
import type { SourcedCell } from './merge.js';

/** A cell's `profile-<component>.folded`, or undefined when it is gone (a hand-pruned run). */
export const readFoldedFile: ReadFolded = (dir, cellId, file) => {
  try {
    return readFileSync(path.join(runPaths(dir).cellDir(cellId), file), 'utf8');
  } catch {
    return undefined;
  }
};

/** The profiled components' stacks of the merged runs, per (config, workload, component). */
export function loadFlameGroups(cells: readonly SourcedCell[]): FlameGroup[] {
  return flameGroups(cells, readFoldedFile);
}
