import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFolded, totalSamples } from '../../src/profile/fold.js';
import type { CompletedCell } from '../../src/results/types.js';
import { browserMissing, openReport, REQUIRE_BROWSER } from '../helpers/browser.js';
import { bench, onlyRunDir, readCells, tempResults } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * Flame graphs on real components: two PgBouncer configs with `profile: true` on native processes,
 * one 2 s cell each, perf record on each PgBouncer; then the folded files, summarize's graphs,
 * compare's differential graph, and report.html's graphs in chromium (when it is installed; with
 * BENCH_REQUIRE_BROWSER=1 its absence fails).
 */

const MATRIX = `
name: flame
provider: native
duration: 2s
settle: 200ms
reps: 1
scale: 1
concurrency: [4]
config_order: fixed
configs:
  - { name: pgb-a, kind: pgbouncer, default_pool_size: 4, profile: true }
  - { name: pgb-b, kind: pgbouncer, default_pool_size: 2, profile: true }
workloads: [readonly]
`;

describe('profile: true on PgBouncer (native)', () => {
  let dir = '';
  let results = '';
  let runDir = '';
  let cells: CompletedCell[] = [];
  let output = '';
  let exitCode: number | undefined;

  beforeAll(async () => {
    dir = tempDir('bench-flame-');
    writeFileSync(path.join(dir, 'flame.yaml'), MATRIX);
    results = tempResults();
    const r = await bench(['run', path.join(dir, 'flame.yaml'), '--results-dir', results]);
    output = String(r.all);
    exitCode = r.exitCode;
    runDir = onlyRunDir(results);
    cells = readCells(runDir).filter((c): c is CompletedCell => c.state === 'completed');
  }, 180_000);

  afterAll(() => {
    for (const d of [dir, results]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('records each PgBouncer during its cell: a folded file whose counts are the samples, no perf.data left', () => {
    expect(exitCode, output).toBe(0);
    expect(cells.map((c) => c.config).sort()).toEqual(['pgb-a', 'pgb-b']);
    for (const c of cells) {
      const [p] = c.profile?.components ?? [];
      expect(c.profile?.event).toBe('cpu-clock');
      expect(p?.component, c.id).toBe('pgbouncer');
      expect(p?.error, c.id).toBeUndefined();
      expect(p?.pids.length, c.id).toBeGreaterThan(0);
      expect(p?.samples, c.id).toBeGreaterThan(50);
      expect(p?.sampleFrequencyHz, c.id).toBeGreaterThan(0);
      const cellDir = path.join(runDir, 'cells', c.id);
      const folded = parseFolded(readFileSync(path.join(cellDir, p?.file ?? 'missing'), 'utf8'));
      expect(folded.malformed).toBe(0);
      expect(totalSamples(folded.stacks)).toBe(p?.samples);
      // Kernel and user frames of PgBouncer, the process name first.
      const stacks = [...folded.stacks.keys()];
      expect(stacks.every((s) => s.startsWith('pgbouncer;'))).toBe(true);
      expect(stacks.some((s) => s.includes('_[k]'))).toBe(true);
      expect(readdirSync(cellDir).filter((f) => f.startsWith('perf'))).toEqual([]);
    }
  });

  it('summarize draws a flame graph per config, inline in report.html and linked from FINDINGS.md, and warns about TPS', () => {
    for (const config of ['pgb-a', 'pgb-b']) {
      const name = `flame-${config}-readonly-pgbouncer.svg`;
      const svg = readFileSync(path.join(runDir, 'plots', name), 'utf8');
      expect(svg).toContain(`cpu-clock samples of pgbouncer of ${config} on readonly`);
      expect(svg).toMatch(/<title>all: \d+ samples, 100\.00 % of all<\/title>/);
      const findings = readFileSync(path.join(runDir, 'FINDINGS.md'), 'utf8');
      expect(findings).toContain(`(plots/${name})`);
    }
    const html = readFileSync(path.join(runDir, 'report.html'), 'utf8');
    expect(html).toContain('<section id="flame-graphs">');
    expect(html.match(/<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="flame"/g)?.length).toBe(2);
    const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as {
      warnings: { kind: string; message: string }[];
    };
    const profiled = summary.warnings.filter((w) => w.kind === 'profiled');
    expect(profiled.map((w) => w.message.split(':')[0]).sort()).toEqual([
      'pgb-a / readonly / 4 clients',
      'pgb-b / readonly / 4 clients',
    ]);
  });

  it('compare writes the differential flame graph of the pair beside compare.md', async () => {
    const out = path.join(dir, 'cmp');
    const r = await bench([
      'compare',
      runDir,
      '--baseline-config',
      'pgb-a',
      '--candidate-config',
      'pgb-b',
      '--out',
      out,
      '--allow-inconclusive',
    ]);
    expect(r.exitCode === 0 || r.exitCode === 1, String(r.all)).toBe(true);
    const name = 'flame-diff-pgb-a-vs-pgb-b-readonly-pgbouncer.svg';
    const svg = readFileSync(path.join(out, name), 'utf8');
    expect(svg).toMatch(/share [+-]\d+\.\d\d pp<\/title>/);
    expect(readFileSync(path.join(out, 'compare.md'), 'utf8')).toContain(`](${name})`);
  });

  it('refuses --profile without perf: exit 2 naming linux-perf, before anything starts', async () => {
    const empty = tempResults();
    const r = await bench(['run', path.join(dir, 'flame.yaml'), '--profile', '--results-dir', empty], {
      env: { PATH: '/nonexistent' },
    });
    expect(r.exitCode, String(r.all)).toBe(2);
    expect(String(r.all)).toContain('linux-perf');
    expect(readdirSync(empty)).toEqual([]);
    rmSync(empty, { recursive: true, force: true });
  });

  it('draws the flame graphs in chromium: a size, frames, hover titles, no console error', async () => {
    if (browserMissing()) {
      expect(REQUIRE_BROWSER, `BENCH_REQUIRE_BROWSER=1 but ${browserMissing()}`).toBe(false);
      return;
    }
    const userDataDir = tempDir('bench-chromium-flame-');
    const { context, page, problems } = await openReport(runDir, userDataDir);
    try {
      const graphs = await page.$$eval('figure.graphic svg.flame', (svgs) =>
        svgs.map((s) => {
          const b = s.getBoundingClientRect();
          return {
            w: b.width,
            h: b.height,
            frames: s.querySelectorAll('g.frame rect').length,
            titled: s.querySelectorAll('g.frame > title').length,
            label: s.getAttribute('aria-label'),
          };
        }),
      );
      expect(graphs.map((g) => g.label).sort()).toEqual([
        'cpu-clock samples of pgbouncer of pgb-a on readonly',
        'cpu-clock samples of pgbouncer of pgb-b on readonly',
      ]);
      for (const g of graphs) {
        expect(g.w).toBeGreaterThan(500);
        expect(g.h).toBeGreaterThan(60);
        expect(g.frames).toBeGreaterThan(5);
        expect(g.titled).toBe(g.frames);
      }
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
