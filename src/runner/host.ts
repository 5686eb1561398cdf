import { realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { RunInfo } from '../results/types.js';
import { findPackage } from './version.js';

export function hostInfo(): RunInfo['host'] {
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    cpus: os.availableParallelism(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryBytes: os.totalmem(),
    kernel: os.release(),
    platform: `${os.platform()} ${os.arch()}`,
  };
}

/** The root of the package this bench runs from: the repository, or the installed package. */
export function toolRoot(): string | undefined {
  return findPackage(path.dirname(fileURLToPath(import.meta.url)))?.root;
}

function sameDir(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/**
 * The commit bench runs from, `-dirty` with uncommitted changes to tracked files; only when the
 * package root is itself a git checkout's top: an installed package inside someone's git
 * project would otherwise report that project's commit.
 */
export async function gitSha(root = toolRoot()): Promise<string | undefined> {
  if (root === undefined) return undefined;
  const top = await execa('git', ['rev-parse', '--show-toplevel'], { cwd: root, reject: false });
  if (top.exitCode !== 0 || !sameDir(`${top.stdout}`.trim(), root)) return undefined;
  const r = await execa('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, reject: false });
  if (r.exitCode !== 0) return undefined;
  const dirty = await execa('git', ['status', '--porcelain', '--untracked-files=no'], {
    cwd: root,
    reject: false,
  });
  return `${r.stdout}`.trim() + (`${dirty.stdout}`.trim() === '' ? '' : '-dirty');
}

/** `20261123-190512-smoke`: sortable, readable, unique per second per matrix. */
export function makeRunId(matrixName: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
  return `${stamp}-${matrixName}`;
}
