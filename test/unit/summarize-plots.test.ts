import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryPlot } from '../../summarize/figures/resources/plots.js';
import { loadSummary } from '../../summarize/input/load.js';
import { renderPlots } from '../../summarize/plots/render.js';

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
        'latency-spectrum-readonly-short.svg',
        'latency-spectrum-readonly.svg',
        'p99-readonly-short.svg',
        'p99-readonly.svg',
        'memory-readonly-short.svg',
        'memory-readonly.svg',
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

  it('plots PSS per component, each on its own y scale, and PostgreSQL PSS per server backend', async () => {
    const rs = s.rows.filter((r) => r.workload === 'readonly');
    const job = memoryPlot('readonly', rs);
    const spec = job?.spec as unknown as {
      resolve: unknown;
      data: { values: { panel: string; series: string; clients: number; value: number }[] };
    };
    expect(spec.resolve).toEqual({ scale: { y: 'independent' } });
    const panels = new Set(spec.data.values.map((v) => v.panel));
    expect(panels).toEqual(
      new Set(['postgres: PSS (peak)', 'pgbouncer: PSS (peak)', 'postgres: PSS per server backend (mean)']),
    );
    // The values are the rows' PSS in MiB, not the RSS sum.
    const pg8 = rs.find((r) => r.config === 'direct' && r.concurrency === 8);
    const pss = pg8?.sampling?.components.find((c) => c.role === 'postgres')?.pssPeakBytes ?? Number.NaN;
    expect(
      spec.data.values.find(
        (v) => v.panel === 'postgres: PSS (peak)' && v.series === 'direct' && v.clients === 8,
      )?.value,
    ).toBeCloseTo(pss / 1048576, 6);
    const svg = (await renderPlots(rs)).find((p) => p.name === 'memory-readonly.svg')?.svg ?? '';
    expect(svg).toContain('pgbouncer: PSS (peak)');
    expect(svg).toContain('MiB');
  });

  it('says which components had no PSS, and falls back to the RSS sum, titled so, when no PSS exists', () => {
    const rs = s.rows.filter((r) => r.workload === 'readonly');
    const noPgbPss = rs.map((r) => ({
      ...r,
      ...(r.sampling
        ? {
            sampling: {
              ...r.sampling,
              components: r.sampling.components.map((c) => {
                if (c.role !== 'pgbouncer') return c;
                const { pssPeakBytes: _p, pssMeanBytes: _m, ...rest } = c;
                return { ...rest, pssMissing: { reps: 3, reason: 'EACCES' } };
              }),
            },
          }
        : {}),
    }));
    const a = memoryPlot('readonly', noPgbPss)?.spec as unknown as { title: { subtitle: string } };
    expect(a.title.subtitle).toContain('PSS not read for pgbouncer:pgbouncer-tx');
    const noPss = rs.map((r) => ({
      ...r,
      ...(r.sampling
        ? {
            sampling: {
              ...r.sampling,
              components: r.sampling.components.map(({ pssPeakBytes: _p, pssMeanBytes: _m, ...c }) => c),
            },
          }
        : {}),
    }));
    const b = memoryPlot('readonly', noPss)?.spec as unknown as { data: { values: { panel: string }[] } };
    expect(new Set(b.data.values.map((v) => v.panel))).toEqual(
      new Set(['postgres: RSS sum (peak)', 'pgbouncer: RSS sum (peak)']),
    );
  });

  it('makes no sampling plots when nothing was sampled', async () => {
    const rows = s.rows.map(({ sampling: _s, ...r }) => r);
    const names = (await renderPlots(rows)).map((p) => p.name);
    expect(names.some((n) => /^(backends|memory|cpu)-/.test(n))).toBe(false);
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
