import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { benchTempEntries, removeTempDirs } from '../helpers/tmp.js';

/**
 * Runs around every test file (vitest setupFiles; its afterAll runs after the file's own): removes
 * the file's tempDir()s, then fails the file if any other bench-* entry it created is left in
 * os.tmpdir() (made with a bare mkdtemp, or by the tool itself), and removes that too.
 * os.tmpdir() is this test run's own directory (test/setup/tmpdir.ts), so nothing of another run
 * on the machine is counted, and files run one at a time (vitest.config.ts).
 */
let before = new Set<string>();

beforeAll(() => {
  before = new Set(benchTempEntries());
});

afterAll(() => {
  removeTempDirs();
  const left = benchTempEntries().filter((e) => !before.has(e));
  for (const e of left) rmSync(path.join(os.tmpdir(), e), { recursive: true, force: true });
  if (left.length > 0) {
    throw new Error(
      `this test file left ${left.length} entries in ${os.tmpdir()}: ${left.join(', ')} (make them with tempDir() from test/helpers/tmp.ts, or remove them)`,
    );
  }
});
