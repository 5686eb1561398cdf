import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Temporary directories of one test file, removed when the file ends (test/setup/temp-dirs.ts):
 * they hold PostgreSQL data directories, run results and throwaway CAs' private keys.
 */
const made: string[] = [];

/** A new directory under os.tmpdir(), removed after the test file, whatever its outcome. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every directory tempDir made in this file. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The prefix every directory of the tool and its tests starts with (`bench-<run-id>-`, `bench-certs-`). */
export const LEAK_PREFIX = 'bench-';

/** The `bench-*` entries in os.tmpdir() now. */
export function benchTempEntries(): string[] {
  return readdirSync(os.tmpdir()).filter((e) => e.startsWith(LEAK_PREFIX));
}
