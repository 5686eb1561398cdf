import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { runPaths } from '../../src/results/paths.js';

/** How deep below a given directory run directories are looked for (CI artifacts nest them). */
const MAX_DEPTH = 3;

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function runDirsBelow(dir: string, depth: number): string[] {
  if (existsSync(runPaths(dir).runJson)) return [dir];
  if (depth === 0) return [];
  return readdirSync(dir)
    .sort()
    .map((name) => path.join(dir, name))
    .filter(isDir)
    .flatMap((d) => runDirsBelow(d, depth - 1));
}

/**
 * The run directories a command was given: a run directory stands for itself; a directory without
 * run.json (the downloaded artifacts of a sharded CI run, `shards/shard-1/<run-id>/...`) stands for
 * every run directory up to MAX_DEPTH levels below it, in name order. A directory with none is
 * kept as given, so the reader reports it.
 */
export function expandRunDirs(dirs: readonly string[]): string[] {
  return dirs.flatMap((d) => {
    if (!isDir(d)) return [d];
    const found = runDirsBelow(d, MAX_DEPTH);
    return found.length > 0 ? found : [d];
  });
}
