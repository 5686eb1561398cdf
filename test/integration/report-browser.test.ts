import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CELL_FILES } from '../../src/results/paths.js';
import type { CompletedCell } from '../../src/results/types.js';
import { browserMissing, openReport, REQUIRE_BROWSER } from '../helpers/browser.js';
import { bench, onlyRunDir, ROOT, readCells, tempResults } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * report.html of a real smoke run, opened from disk in Debian's chromium driven headless by
 * playwright-core (nothing downloads a browser). Skipped when chromium or playwright-core is
 * missing, unless BENCH_REQUIRE_BROWSER=1 (CI), where that is a failure.
 * BENCH_UPDATE_SCREENSHOT=1 rewrites docs/report-screenshot.png.
 */
const missing = browserMissing();
const available = missing === undefined;
if (!available && REQUIRE_BROWSER) throw new Error(`BENCH_REQUIRE_BROWSER=1 but ${missing}`);

/** The value at a JSON pointer (RFC 6901) of summary.json. */
function resolve(doc: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], doc);
}

/** The number a table shows, as it would compare with the raw value ("12,068" -> 12068, "19.1%" -> 0.191). */
function shown(text: string): { value: number; halfUlp: number } {
  const pct = text.endsWith('%');
  const digits = text.replace(/[,%]/g, '');
  const decimals = digits.includes('.') ? (digits.split('.')[1]?.length ?? 0) : 0;
  const scale = pct ? 100 : 1;
  return { value: Number(digits) / scale, halfUlp: (0.5 * 10 ** -decimals) / scale };
}

describe.skipIf(!available)('report.html in a real browser', () => {
  let runDir = '';
  let summary: Record<string, unknown> = {};
  let cells: CompletedCell[] = [];
  let userDataDir = '';
  let results = '';

  beforeAll(async () => {
    results = tempResults();
    const r = await bench(
      [
        'run',
        'matrices/smoke.yaml',
        '--provider',
        'native',
        '--duration',
        '2s',
        '--reps',
        '2',
        '--concurrency',
        '1,4',
        '--results-dir',
        results,
      ],
      { timeout: 300_000 },
    );
    expect(r.exitCode, String(r.all)).toBe(0);
    runDir = onlyRunDir(results);
    summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8')) as Record<string, unknown>;
    cells = readCells(runDir).filter((c): c is CompletedCell => c.state === 'completed');
    userDataDir = tempDir('bench-chromium-profile-');
  }, 320_000);

  afterAll(() => {
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    if (results) rmSync(results, { recursive: true, force: true });
  });

  it('per-second transactions from the log sum to the cell count, all inside the measured window', () => {
    expect(cells.length).toBe(12 * 2);
    for (const c of cells) {
      const file = path.join(runDir, 'cells', c.id, CELL_FILES.latencySeconds);
      const { seconds } = JSON.parse(readFileSync(file, 'utf8')) as {
        seconds: { t: number; count: number; failed: number }[];
      };
      const progress = readFileSync(path.join(runDir, 'cells', c.id, CELL_FILES.progress), 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as { t: number; at: number });
      // pgbench's start is no later than any `at - t` of its -P lines; the window is -T long, and
      // pgbench lets each transaction in flight at the deadline finish (at most the cell's max latency).
      const startMs = Math.min(...progress.map((p) => p.at - p.t * 1000));
      const endMs = startMs + 2000 + (c.latency?.maxMs ?? 0);
      const sum = seconds.reduce((a, s) => a + s.count, 0);
      const failed = seconds.reduce((a, s) => a + s.failed, 0);
      // Exact: every logged transaction is counted in exactly one second.
      expect(sum, c.id).toBe(c.latency?.count);
      expect(sum, c.id).toBe(c.summary.processed);
      expect(failed, c.id).toBe(c.summary.failed);
      // The start estimate is late by the -P line's delivery delay (< 1 s), so the first second may
      // begin up to 1 s before it; no second starts after the window ends.
      for (const s of seconds) {
        expect(s.t * 1000, c.id).toBeGreaterThanOrEqual(Math.floor(startMs / 1000) * 1000 - 1000);
        expect(s.t * 1000, c.id).toBeLessThan(endMs);
      }
    }
  });

  it('opens from disk with no console error and no request leaving the file, every plot drawn, numbers equal summary.json', async () => {
    const { context, page, problems } = await openReport(runDir, userDataDir);
    try {
      // The summary plots: inline SVGs, each with a size.
      const plots = await page.$$eval('figure.plot svg', (svgs) =>
        svgs.map((s) => {
          const b = s.getBoundingClientRect();
          return { w: b.width, h: b.height, marks: s.querySelectorAll('path, line, rect').length };
        }),
      );
      const files = readdirPlots(runDir);
      expect(plots.length).toBe(files.length);
      for (const p of plots) {
        expect(p.w).toBeGreaterThan(100);
        expect(p.h).toBeGreaterThan(100);
        expect(p.marks).toBeGreaterThan(5);
      }

      // Every cell's time series, drawn in the page by Vega.
      await page.evaluate(() =>
        (window as unknown as { benchOpenAll: () => Promise<unknown> }).benchOpenAll(),
      );
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll('.ts-plot')].every((e) => e.getAttribute('data-rendered') === 'true'),
        undefined,
        { timeout: 60_000 },
      );
      const series = await page.$$eval('.ts-plot', (els) =>
        els.map((e) => {
          const svg = e.querySelector('svg');
          const b = svg?.getBoundingClientRect();
          return {
            cell: e.getAttribute('data-cell'),
            w: b?.width ?? 0,
            h: b?.height ?? 0,
            lines: svg?.querySelectorAll('.mark-line path').length ?? 0,
          };
        }),
      );
      expect(series.map((s) => s.cell).sort()).toEqual(cells.map((c) => c.id).sort());
      for (const s of series) {
        expect(s.w, `${s.cell}`).toBeGreaterThan(300);
        expect(s.h, `${s.cell}`).toBeGreaterThan(300);
        // throughput, latency, failed, backends, CPU, PSS at least
        expect(s.lines, `${s.cell}`).toBeGreaterThanOrEqual(6);
      }

      // Numbers: every one carries its summary.json pointer; its value and its text must match.
      const numbers = await page.$$eval('[data-pointer]', (els) =>
        els.map((e) => ({
          pointer: e.getAttribute('data-pointer') as string,
          value: e.getAttribute('data-value') as string,
          text: (e.textContent ?? '').trim(),
        })),
      );
      expect(numbers.length).toBeGreaterThan(100);
      for (const n of numbers) {
        const expected = resolve(summary, n.pointer);
        expect(typeof expected, n.pointer).toBe('number');
        expect(Number(n.value), n.pointer).toBe(expected);
        const s = shown(n.text);
        expect(
          Math.abs(s.value - (expected as number)),
          `${n.pointer}: "${n.text}" vs ${expected}`,
        ).toBeLessThanOrEqual(s.halfUlp * (1 + 1e-9));
      }
      // One cell in particular: its row of the cells table shows its rep's TPS from summary.json.
      const first = cells[0] as CompletedCell;
      const tpsText = await page.$eval(`tr[data-cell="${first.id}"] td[data-pointer$="/tps"]`, (e) =>
        e.getAttribute('data-value'),
      );
      expect(Number(tpsText)).toBe(first.summary.tps);

      if (process.env.BENCH_UPDATE_SCREENSHOT === '1') {
        // playwright's page.screenshot waits for a frame that Debian's chromium 156 in
        // --headless never reports; the DevTools call underneath it works.
        await page.evaluate(() => window.scrollTo(0, 0));
        const cdp = await context.newCDPSession(page);
        const shot = (await cdp.send('Page.captureScreenshot', {
          format: 'png',
          captureBeyondViewport: true,
          clip: { x: 0, y: 0, width: 1280, height: 1500, scale: 1 },
        })) as { data: string };
        writeFileSync(path.join(ROOT, 'docs/report-screenshot.png'), Buffer.from(shot.data, 'base64'));
      }

      // Sorting by a header click reorders the rows by value.
      await page.click('#results-table th:nth-child(5)');
      const sorted = await page.$$eval('#results-table tbody tr td:nth-child(5)', (tds) =>
        tds.map((td) => Number(td.getAttribute('data-value'))),
      );
      expect(sorted).toEqual([...sorted].sort((a, b) => a - b));

      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);
});

function readdirPlots(runDir: string): string[] {
  return readdirSync(path.join(runDir, 'plots')).filter((f) => f.endsWith('.svg'));
}
