import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findPackageVersion, readPackageJson, TOOL_VERSION } from '../../src/runner/version.js';
import { tempDir } from '../helpers/tmp.js';

describe('tool version', () => {
  it('is the repository package.json version, never a made-up 0.0.0', () => {
    const pkg = JSON.parse(readFileSync(path.join(import.meta.dirname, '../../package.json'), 'utf8')) as {
      version: string;
    };
    expect(TOOL_VERSION).toBe(pkg.version);
  });

  it('reads a package boundary: version, none, or not a package at all', () => {
    expect(readPackageJson('{"name":"x","version":"1.2.3"}')).toEqual({ version: '1.2.3' });
    expect(readPackageJson('{"name":"x"}')).toEqual({ version: undefined });
    expect(readPackageJson('{not json')).toEqual({ version: undefined });
    expect(readPackageJson('{"type":"module"}')).toBeUndefined();
  });

  it('takes the nearest package above the module, skipping nameless markers, never an outer one', () => {
    const root = tempDir('bench-version-');
    const outer = path.join(root, 'project');
    const inner = path.join(outer, 'node_modules/pgbench-matrix-bench');
    const runner = path.join(inner, 'dist/src/runner');
    mkdirSync(runner, { recursive: true });
    writeFileSync(path.join(outer, 'package.json'), '{"name":"project","version":"9.9.9"}');
    writeFileSync(path.join(inner, 'package.json'), '{"name":"pgbench-matrix-bench","version":"0.4.0"}');
    writeFileSync(path.join(inner, 'dist/package.json'), '{"type":"module"}');
    expect(findPackageVersion(runner)).toBe('0.4.0');
    // A package without a version is where the search stops: unknown, not the project's 9.9.9.
    writeFileSync(path.join(inner, 'package.json'), '{"name":"pgbench-matrix-bench"}');
    expect(findPackageVersion(runner)).toBeUndefined();
  });
});
