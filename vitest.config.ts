import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A private TMPDIR for the run, and a check after each file that it left no bench-* entry there.
    globalSetup: ['test/setup/tmpdir.ts'],
    setupFiles: ['test/setup/temp-dirs.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Integration tests start real PostgreSQL/PgBouncer stacks; on a 2-core machine running them
    // in parallel would make both slow and their numbers meaningless.
    fileParallelism: false,
  },
});
