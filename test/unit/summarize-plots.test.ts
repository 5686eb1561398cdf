import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSummary } from '../../summarize/load.js';
import { renderPlots } from '../../summarize/plots.js';

describe('plots', () => {
  const s = loadSummary([path.resolve(import.meta.dirname, '../fixtures/runs/three-reps')]);

  it('renders headless SVGs with unit-labelled axes, legends and a white background', async () => {
    const plots = await renderPlots(s.rows);
    expect(plots.map((p) => p.name).sort()).toEqual(
      [
        'backends-readonly-short.svg',
        'backends-readonly.svg',
        'cpu-readonly-short.svg',
        'cpu-readonly.svg',
        'p99-readonly-short.svg',
        'p99-readonly.svg',
        'rss-readonly-short.svg',
        'rss-readonly.svg',
        'tps-readonly-short.svg',
        'tps-readonly.svg',
      ].sort(),
    );
    const tps = plots.find((p) => p.name === 'tps-readonly.svg')?.svg ?? '';
    expect(tps.startsWith('<svg')).toBe(true);
    expect(tps).toContain('TPS (transactions / s)');
    expect(tps).toContain('clients (pgbench -c)');
    expect(tps).toContain('pgbouncer-tx');
    expect(tps).toMatch(/fill="white"|fill="#fff(fff)?"/);
    expect(plots.find((p) => p.name === 'p99-readonly.svg')?.svg).toContain('p99 latency (ms)');
  });

  it('makes no sampling plots when nothing was sampled', async () => {
    const rows = s.rows.map(({ sampling: _s, ...r }) => r);
    const names = (await renderPlots(rows)).map((p) => p.name);
    expect(names.some((n) => /^(backends|rss|cpu)-/.test(n))).toBe(false);
  });

  // About 40 ms a plot on an idle 2-core machine (docs/statistics.md); the bound here only catches a
  // pathological slowdown, since CI machines are shared and timing tests must not flake.
  it('renders ten plots in bounded time', async () => {
    await renderPlots(s.rows);
    const t0 = performance.now();
    await renderPlots(s.rows);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});
