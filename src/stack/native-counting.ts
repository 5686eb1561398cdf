import { chownSync, mkdirSync } from 'node:fs';
import { wrapCommand } from './count-wrap.js';
import type { SpawnOptions } from './process.js';
import type { ComponentRole, Counting } from './types.js';
import type { RunAs } from './user.js';

/** How one native process starts: its argv, the user it runs as, and its stop settings. */
export interface NativeLaunch {
  argv: string[];
  ids: { uid?: number; gid?: number };
  stop: Pick<SpawnOptions, 'stopTarget' | 'quiesceMs'>;
  /** The ready timeout to use instead of the component's own, when counted. */
  readyTimeoutMs?: number;
}

/**
 * Children of a counted process get this long to exit on their own (and write their counts)
 * before the stop signal: a relay's per-connection process under valgrind needs well under a second.
 */
const QUIESCE_MS = 10_000;

/**
 * A native component's command, plain or, in a cost cell, under valgrind or perf
 * (src/stack/count-wrap.ts) with its output directory created for the component's user.
 */
export function nativeLaunch(
  cmd: string[],
  role: ComponentRole,
  name: string,
  runAs: RunAs | undefined,
  counting: Counting | undefined,
): NativeLaunch {
  const ids = runAs ? { uid: runAs.uid, gid: runAs.gid } : {};
  if (!counting) return { argv: cmd, ids, stop: {} };
  const dir = counting.outDir(role, name);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  const wrapped = wrapCommand(
    counting.method,
    cmd,
    dir,
    runAs ? { uid: runAs.uid, gid: runAs.gid } : undefined,
  );
  return {
    argv: wrapped.argv,
    ids: wrapped.spawnAs === 'component' ? ids : {},
    stop: { stopTarget: wrapped.signal, quiesceMs: QUIESCE_MS },
    readyTimeoutMs: counting.readyTimeoutMs,
  };
}
