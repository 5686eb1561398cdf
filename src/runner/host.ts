import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import type { RunInfo } from '../results/types.js';

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

/** The repository this bench runs from (dist/src/runner -> repo root, or src/runner in tests). */
export function toolRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return here.includes(`${path.sep}dist${path.sep}`)
    ? path.resolve(here, '../../..')
    : path.resolve(here, '../..');
}

export async function gitSha(): Promise<string | undefined> {
  const r = await execa('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: toolRoot(), reject: false });
  if (r.exitCode !== 0) return undefined;
  const dirty = await execa('git', ['status', '--porcelain', '--untracked-files=no'], {
    cwd: toolRoot(),
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
