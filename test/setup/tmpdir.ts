import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * vitest globalSetup: the whole test run gets its own TMPDIR, so what it leaves behind is told
 * apart from other runs on the same machine, and removed at the end. Mode 1777 like /tmp: the
 * stacks' unprivileged postgres user reaches its scratch directories inside, as under /tmp.
 * A short name: unix socket paths inside it are limited to 107 bytes.
 */
let root: string | undefined;

export function setup(): void {
  root = mkdtempSync(path.join(os.tmpdir(), 'bt-'));
  chmodSync(root, 0o1777);
  process.env.TMPDIR = root;
}

export function teardown(): void {
  if (root === undefined) return;
  const left = readdirSync(root);
  rmSync(root, { recursive: true, force: true });
  const bench = left.filter((e) => e.startsWith('bench-'));
  if (bench.length > 0) {
    throw new Error(
      `the test run left ${bench.length} bench-* entries in its TMPDIR ${root}: ${bench.join(', ')}`,
    );
  }
}
