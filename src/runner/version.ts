import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What run.json and `--version` say when the package's own package.json cannot be read. */
export const UNKNOWN_VERSION = 'unknown';

/**
 * A package.json's text as a package boundary: `{ version }` for a package (version undefined when
 * it has none or the file is not JSON), undefined for a nameless marker such as the
 * `{"type": "module"}` some builds put in dist/, which is not where the package ends.
 */
export function readPackageJson(text: string): { version: string | undefined } | undefined {
  let pkg: { name?: unknown; version?: unknown };
  try {
    pkg = JSON.parse(text) as { name?: unknown; version?: unknown };
  } catch {
    return { version: undefined };
  }
  if (typeof pkg.name !== 'string') return undefined;
  return { version: typeof pkg.version === 'string' && pkg.version !== '' ? pkg.version : undefined };
}

/**
 * The package `dir` belongs to: the nearest directory at or above it whose package.json is a
 * package's (the repository from src/runner and dist/src/runner, the installed package from
 * node_modules/<name>/dist/src/runner). Walking up rather than counting `..` keeps it right
 * wherever the build lands (even under a parent directory named dist); stopping at the first
 * package keeps an enclosing project out.
 */
export function findPackage(dir: string): { root: string; version: string | undefined } | undefined {
  for (let d = dir; ; d = path.dirname(d)) {
    const file = path.join(d, 'package.json');
    const pkg = existsSync(file) ? readPackageJson(readFileSync(file, 'utf8')) : undefined;
    if (pkg) return { root: d, version: pkg.version };
    if (path.dirname(d) === d) return undefined;
  }
}

/** The version of the package `dir` belongs to (findPackage), undefined when it has none. */
export function findPackageVersion(dir: string): string | undefined {
  return findPackage(dir)?.version;
}

/** Never a made-up 0.0.0: a result claiming a version that was never released misleads compare. */
export const TOOL_VERSION =
  findPackageVersion(path.dirname(fileURLToPath(import.meta.url))) ?? UNKNOWN_VERSION;
