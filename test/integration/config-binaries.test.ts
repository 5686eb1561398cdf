import { chmodSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CellRecord } from '../../src/results/types.js';
import { findBinaries } from '../../src/stack/binaries.js';
import { bench, onlyRunDir, readCells, readRunInfo, tempResults } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

// A PostgreSQL server per config on the native provider: a config names its binaries, and configs
// naming different ones run against different servers (own data directory, own port). Only
// PostgreSQL 15 is installed here, so the second server is the same build reached through a
// directory of symlinks: what is asserted is that that path was used, and what the running server
// and PgBouncer reported was recorded per config.
const bins = findBinaries({ needPgbouncer: true });

/** A world-readable directory (the component user runs what is in it). */
function openDir(prefix: string): string {
  const dir = tempDir(prefix);
  chmodSync(dir, 0o755);
  return dir;
}

/** A directory of symlinks to the machine's initdb, postgres and pgbouncer. */
function linkedBinaries(): { bindir: string; pgbouncer: string } {
  const root = openDir('bench-config-binaries-');
  const bindir = path.join(root, 'bin');
  mkdirSync(bindir, { mode: 0o755 });
  symlinkSync(bins.initdb, path.join(bindir, 'initdb'));
  symlinkSync(bins.postgres, path.join(bindir, 'postgres'));
  const pgbouncer = path.join(bindir, 'pgbouncer');
  symlinkSync(bins.pgbouncer ?? '/usr/sbin/pgbouncer', pgbouncer);
  return { bindir, pgbouncer };
}

function matrix(configs: string): string {
  const file = path.join(openDir('bench-config-binaries-m-'), 'm.yaml');
  writeFileSync(
    file,
    `name: config-binaries
provider: native
duration: 1s
settle: 0s
scale: 1
concurrency: [2]
isolation_wait: 2s
workloads: [tpcb]
configs:
${configs}
`,
  );
  return file;
}

/** A bad `binaries:` exits 2 naming the config, the field and the path, before anything starts. */
async function refused(configs: string, message: string): Promise<void> {
  const results = tempResults();
  const r = await bench(['run', matrix(configs), '--results-dir', results], { timeout: 30_000 });
  expect(r.exitCode, String(r.all)).toBe(2);
  expect(String(r.stderr)).toContain(message);
  expect(readdirSync(results)).toEqual([]);
}

describe('per-config binaries: a PostgreSQL server per config, native', () => {
  it('runs configs naming other binaries on a server of their own and records what each cell ran against', async () => {
    const { bindir, pgbouncer } = linkedBinaries();
    const results = tempResults();
    const r = await bench(
      [
        'run',
        matrix(`  - { name: direct, kind: direct }
  - { name: direct-b, kind: direct, binaries: { postgres: ${bindir} } }
  - name: tx-b
    kind: pgbouncer
    pool_mode: transaction
    default_pool_size: 2
    binaries: { postgres: ${bindir}, pgbouncer: ${pgbouncer} }`),
        '--results-dir',
        results,
      ],
      { timeout: 90_000 },
    );
    expect(r.exitCode, String(r.all)).toBe(0);
    const runDir = onlyRunDir(results);
    const cells = readCells(runDir);
    const by = Object.fromEntries(cells.map((c) => [c.config, c])) as Record<string, CellRecord>;
    for (const c of cells) {
      expect(c.state, c.id).toBe('completed');
      expect(c.versions?.postgres, c.id).toMatch(/^15\.\d+/);
    }
    expect(by['tx-b']?.versions?.pgbouncer).toMatch(/^1\.\d+\.\d+/);
    // Two servers: the default one and the one of the linked directory, each its own postmaster.
    const pid = (c: CellRecord | undefined) => c?.sampling?.components.postgres?.pid;
    expect(pid(by['direct-b'])).toBeDefined();
    expect(pid(by['direct-b'])).toBe(pid(by['tx-b']));
    expect(pid(by.direct)).not.toBe(pid(by['direct-b']));
    // Attribution per server: tx-b's backends are its own role's, on its server, and nobody else's.
    expect(by['tx-b']?.sampling?.postgres?.serverBackendsPeak).toBeGreaterThan(0);
    expect(by['tx-b']?.sampling?.postgres?.foreignBackendsPeak).toBe(0);
    const info = readRunInfo(runDir);
    expect(info.versions['postgres:direct-b']).toMatch(/^15\./);
    expect(info.versions['postgres:direct']).toBe(info.versions['postgres:tx-b']);
    expect(info.versions['pgbouncer:tx-b']).toBe(by['tx-b']?.versions?.pgbouncer);
    const servers = (info.stack as { servers: Array<Record<string, unknown>> }).servers;
    expect(servers.map((s) => s.configs)).toEqual([['direct'], ['direct-b', 'tx-b']]);
    expect(servers[0]?.port).not.toBe(servers[1]?.port);
    expect(servers[1]?.binaries).toMatchObject({
      initdb: path.join(bindir, 'initdb'),
      postgres: path.join(bindir, 'postgres'),
      'pgbouncer:tx-b': pgbouncer,
    });
    expect(String(r.all)).toContain(`(${path.join(bindir, 'postgres')}) ready`);
    // tpcb writes: the server the run leaves for the other one is tidied before the next cell.
    const switched = cells.filter((c, i) => i > 0 && pid(c) !== pid(cells[i - 1]));
    expect(switched.length).toBeGreaterThan(0);
    for (const c of switched)
      expect(c.prepared, c.id).toContain('vacuum and checkpoint on the PostgreSQL server the run left');
  });

  it('refuses a directory without the binaries, exit 2, before anything starts', async () => {
    const empty = openDir('bench-config-binaries-empty-');
    await refused(
      `  - { name: direct, kind: direct, binaries: { postgres: ${empty} } }`,
      `config direct: binaries.postgres: expected a directory with initdb and postgres, ${empty} has no executable initdb`,
    );
  });

  it('refuses binaries whose version cannot be asked, and a pgbouncer that is no executable', async () => {
    const dir = openDir('bench-config-binaries-mute-');
    for (const tool of ['initdb', 'postgres']) {
      writeFileSync(path.join(dir, tool), '#!/bin/sh\necho hello\n', { mode: 0o755 });
    }
    await refused(
      `  - { name: direct, kind: direct, binaries: { postgres: ${dir} } }`,
      `config direct: binaries.postgres: expected ${path.join(dir, 'postgres')} --version to print a version, it did not`,
    );
    const notExec = path.join(dir, 'pgbouncer');
    writeFileSync(notExec, 'not a program\n', { mode: 0o644 });
    await refused(
      `  - { name: tx, kind: pgbouncer, pool_mode: transaction, binaries: { pgbouncer: ${notExec} } }`,
      `config tx: binaries.pgbouncer: expected the pgbouncer executable, ${notExec} is not an executable file`,
    );
  });
});
