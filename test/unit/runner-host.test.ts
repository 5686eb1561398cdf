import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { gitSha, toolRoot } from '../../src/runner/host.js';
import { findPackage } from '../../src/runner/version.js';
import { tempDir } from '../helpers/tmp.js';

const git = (cwd: string, ...args: string[]) =>
  execa('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd });

/** A throwaway git repository with one commit, holding `files`. */
async function repo(files: Record<string, string>): Promise<string> {
  const dir = tempDir('bench-host-');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  await git(dir, 'init', '-q');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'x');
  return dir;
}

describe('tool root and git sha', () => {
  it('finds the package root by its named package.json, even under a directory named dist', () => {
    const root = path.join(tempDir('bench-host-'), 'dist', 'bench');
    const runner = path.join(root, 'dist/src/runner');
    mkdirSync(runner, { recursive: true });
    writeFileSync(path.join(root, 'package.json'), '{"name":"pgbench-matrix-bench","version":"1.0.0"}');
    writeFileSync(path.join(root, 'dist/package.json'), '{"type":"module"}');
    expect(findPackage(runner)).toEqual({ root, version: '1.0.0' });
    // This repository, from src/runner under vitest.
    expect(toolRoot()).toBe(path.resolve(import.meta.dirname, '../..'));
  });

  it("reports the package's own checkout, with -dirty for changed tracked files", async () => {
    const dir = await repo({ 'package.json': '{"name":"p"}' });
    const sha = await gitSha(dir);
    expect(sha).toMatch(/^[0-9a-f]{12}$/);
    writeFileSync(path.join(dir, 'package.json'), '{"name":"p","version":"2"}');
    expect(await gitSha(dir)).toBe(`${sha}-dirty`);
  });

  it("says nothing for a package installed inside someone else's git project", async () => {
    const dir = await repo({
      'package.json': '{"name":"project"}',
      'node_modules/pgbench-matrix-bench/package.json': '{"name":"pgbench-matrix-bench"}',
    });
    expect(await gitSha(path.join(dir, 'node_modules/pgbench-matrix-bench'))).toBeUndefined();
    // The project itself is a checkout: its sha is there to be (wrongly) reported.
    expect(await gitSha(dir)).toMatch(/^[0-9a-f]{12}$/);
  });
});
