import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { summarize } from '../../src/commands/summarize.js';
import type { CellRecord, CompletedCell } from '../../src/results/types.js';
import { bench, onlyRunDir, processesMentioning, readCells, tempResults } from '../helpers/cli.js';

/**
 * matrices/pgpool-example.yaml through the CLI on native processes: a real second pooler,
 * pgpool-II, as a `kind: proxy` that needs a configuration file (`files:`), next to direct and
 * PgBouncer. Skipped when pgpool is not installed (Debian package pgpool2), unless
 * BENCH_REQUIRE_PGPOOL=1 says the machine must have it (CI), in which case it fails.
 */

/** pgpool's path: on PATH, or in /usr/sbin, which Debian leaves off a normal user's PATH. */
function findPgpool(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter((d) => d !== ''), '/usr/sbin'];
  for (const d of dirs) {
    try {
      accessSync(path.join(d, 'pgpool'), constants.X_OK);
      return path.join(d, 'pgpool');
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** PIDs of processes whose command line starts with "pgpool" (pgpool's children retitle themselves). */
function pgpoolPids(): Set<number> {
  const pids = new Set<number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (/^(\S*\/)?pgpool\b/.test(readFileSync(`/proc/${d}/cmdline`, 'utf8'))) pids.add(Number(d));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

/** A setting of the shipped template, so the bound below follows the file. */
function templateSetting(name: string): number {
  const conf = readFileSync('matrices/pgpool/pgpool.conf', 'utf8');
  const m = new RegExp(`^${name}\\s*=\\s*(\\d+)`, 'm').exec(conf);
  if (!m?.[1]) throw new Error(`matrices/pgpool/pgpool.conf sets no ${name}`);
  return Number(m[1]);
}

const pgpool = findPgpool();
const required = process.env.BENCH_REQUIRE_PGPOOL === '1';

describe.skipIf(pgpool === undefined && !required)('bench run matrices/pgpool-example.yaml (native)', () => {
  let runDir: string;
  let cells: CellRecord[];
  let output: string;
  let exitCode: number | undefined;
  let pgpoolsBefore: Set<number>;

  beforeAll(async () => {
    if (pgpool === undefined) {
      throw new Error('BENCH_REQUIRE_PGPOOL=1 but pgpool is not installed (apt-get install pgpool2)');
    }
    pgpoolsBefore = pgpoolPids();
    const results = tempResults();
    // Two reps (not one): the runner stops and restarts pgpool per rep in the same working
    // directory, which is what `-D` in the example's command is for.
    const r = await bench(
      [
        'run',
        'matrices/pgpool-example.yaml',
        '--provider',
        'native',
        '--duration',
        '2s',
        '--reps',
        '2',
      ].concat(['--results-dir', results]),
      { env: { PATH: `${path.dirname(pgpool)}:${process.env.PATH ?? ''}` }, timeout: 420_000 },
    );
    output = String(r.all);
    exitCode = r.exitCode;
    runDir = onlyRunDir(results);
    cells = readCells(runDir);
  }, 480_000);

  const cellsOf = (config: string) => cells.filter((c) => c.config === config);
  const peak = (c: CellRecord) => c.sampling?.postgres?.serverBackendsPeak;

  it('exits 0 with every cell completed: 3 configs x 2 workloads x 2 concurrencies x 2 reps', () => {
    expect(exitCode, output).toBe(0);
    expect(cells).toHaveLength(24);
    for (const c of cells) {
      expect(c.state, `${c.id}: ${c.state === 'completed' ? '' : c.reason}`).toBe('completed');
      const done = c as CompletedCell;
      expect(done.summary.tps, c.id).toBeGreaterThan(0);
      expect(done.summary.failed, c.id).toBe(0);
      expect(done.connectionErrors, c.id).toBe(0);
    }
  });

  it('direct at c clients holds at most c server backends', () => {
    expect(cellsOf('direct')).toHaveLength(8);
    for (const c of cellsOf('direct')) {
      expect(peak(c), c.id).toBeGreaterThan(0);
      expect(peak(c), c.id).toBeLessThanOrEqual(c.concurrency);
    }
  });

  it('pgbouncer-tx holds at most default_pool_size (20) server backends', () => {
    expect(cellsOf('pgbouncer-tx')).toHaveLength(8);
    for (const c of cellsOf('pgbouncer-tx')) {
      expect(peak(c), c.id).toBeGreaterThan(0);
      expect(peak(c), c.id).toBeLessThanOrEqual(20);
    }
  });

  it("pgpool logs in as the client's role and holds at most num_init_children * max_pool backends", () => {
    const bound = templateSetting('num_init_children') * templateSetting('max_pool');
    expect(cellsOf('pgpool')).toHaveLength(8);
    for (const c of cellsOf('pgpool')) {
      // The samplers count only the config's role: a peak above 0 means pgpool's backends log in
      // as the client's user (bench_pgpool), not as some user of its own.
      expect(c.sampling?.postgres?.role, c.id).toBe('bench_pgpool');
      expect(peak(c), c.id).toBeGreaterThan(0);
      expect(peak(c), c.id).toBeLessThanOrEqual(bound);
    }
  });

  it("pgpool's connection cache pays off under -C: it beats direct on readonly-short at 8 clients", () => {
    const tps = (config: string) => {
      const xs = cellsOf(config).filter((c) => c.workload === 'readonly-short' && c.concurrency === 8);
      expect(xs, config).toHaveLength(2);
      return xs.reduce((s, c) => s + ((c as CompletedCell).summary.tps ?? 0), 0) / xs.length;
    };
    expect(tps('pgpool')).toBeGreaterThan(tps('direct'));
  });

  it("FINDINGS.md's TL;DR numbers equal those in summary.json", async () => {
    const res = await summarize({ dirs: [runDir] });
    const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
    const md = readFileSync(path.join(runDir, 'FINDINGS.md'), 'utf8');
    const at = (pointer: string) =>
      pointer
        .split('/')
        .slice(1)
        .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], summary);
    expect(res.tldr.length).toBeGreaterThan(0);
    for (const s of res.tldr) {
      expect(md).toContain(s.text);
      for (const n of s.numbers) {
        expect(at(n.pointer), `${s.text}: ${n.pointer}`).toBe(n.value);
        expect(s.text).toContain(n.text);
      }
    }
  });

  it('leaves nothing running: no bench process, no pgpool child', () => {
    expect(processesMentioning(path.basename(runDir))).toEqual([]);
    // SIGTERM is pgpool's smart shutdown: its children go with it (they retitle themselves, so
    // they are found by name and compared with those that ran before the test).
    expect([...pgpoolPids()].filter((p) => !pgpoolsBefore.has(p))).toEqual([]);
  });
});
