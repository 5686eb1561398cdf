import { describe, expect, it } from 'vitest';
import { withPerCore } from '../../summarize/model/connections-per-core.js';
import type { RenderOptions } from '../../summarize/model/report-options.js';
import { roleFigures } from '../../summarize/model/role-figures.js';
import { DEFAULT_THRESHOLDS, type Row } from '../../summarize/model/row.js';
import { describe as stats } from '../../summarize/model/stats.js';
import { renderHtmlReport } from '../../summarize/reporters/html/report.js';
import { reporters } from '../../summarize/reporters/index.js';
import { resourceTable } from '../../summarize/reporters/markdown.js';

const MiB = 1048576;

function row(config: string, workers: readonly { cpu: number; pss: number }[]): Row {
  return {
    config,
    configKind: 'pgbouncer',
    workload: 'readonly',
    concurrency: 8,
    reconnect: false,
    isBaseline: false,
    repsPlanned: 1,
    repsCompleted: 1,
    tps: stats([4000]),
    processed: 40000,
    failedTransactions: 0,
    connectionErrors: 0,
    abortedReps: 0,
    failedCells: [],
    skippedCells: [],
    samples: [],
    sampling: {
      components: [
        {
          name: 'postgres',
          role: 'postgres',
          cpuCoresMean: 1,
          pssPeakBytes: 50 * MiB,
          rssPeakBytes: 200 * MiB,
        },
        ...workers.map((w, i) => ({
          name: `pgbouncer:${config}${workers.length > 1 ? `/worker-${i + 1}` : ''}`,
          role: 'pgbouncer',
          cpuCoresMean: w.cpu,
          pssPeakBytes: w.pss * MiB,
          rssPeakBytes: 2 * w.pss * MiB,
        })),
      ],
    },
  };
}

const options: RenderOptions = { warnings: [], baseline: 'direct', thresholds: DEFAULT_THRESHOLDS };

describe('a role run as several processes (PgBouncer workers: N) is summed in every table', () => {
  const one = row('tx-w1', [{ cpu: 0.9, pss: 4 }]);
  const two = row('tx-w2', [
    { cpu: 0.6, pss: 4 },
    { cpu: 0.5, pss: 3 },
  ]);

  it('roleFigures adds up the processes and keeps the pointer index only for one', () => {
    expect(roleFigures(two, 'pgbouncer')).toMatchObject({ processes: 2, pssPeakBytes: 7 * MiB });
    expect(roleFigures(two, 'pgbouncer')?.cpuCoresMean).toBeCloseTo(1.1);
    expect(roleFigures(two, 'pgbouncer')?.index).toBeUndefined();
    expect(roleFigures(one, 'pgbouncer')).toMatchObject({ processes: 1, index: 1, cpuCoresMean: 0.9 });
    // A process without the figure: no partial sum (it would look cheaper).
    const partial = row('tx-w2', [{ cpu: 0.6, pss: 4 }]);
    partial.sampling?.components.push({ name: 'pgbouncer:tx-w2/worker-2', role: 'pgbouncer' });
    expect(roleFigures(partial, 'pgbouncer')?.cpuCoresMean).toBeUndefined();
    // The per-core figure divides by the same sum.
    expect(withPerCore({ ...two, reconnect: true }).perCore?.cpuCores).toBeCloseTo(1.1);
  });

  it('summary.csv: the sum, and a processes column', () => {
    const lines = reporters.csv([one, two], options).trim().split('\n');
    const header = lines[0]?.split(',') ?? [];
    const at = (l: number, col: string) => lines[l]?.split(',')[header.indexOf(col)];
    expect(at(2, 'pgbouncer_cpu_mean_cores')).toBe('1.1');
    expect(at(2, 'pgbouncer_pss_peak_mib')).toBe('7');
    expect(at(2, 'pgbouncer_rss_peak_mib_shared_pages_counted_per_process')).toBe('14');
    expect(at(2, 'pgbouncer_processes')).toBe('2');
    expect(at(1, 'pgbouncer_processes')).toBe('1');
    // Runs without workers keep their columns.
    expect(reporters.csv([one], options)).not.toContain('pgbouncer_processes');
  });

  it('resource table: the sum, marked, with a note', () => {
    const out = resourceTable([one, two], 'readonly') ?? '';
    expect(out).toContain(
      '| tx-w2 | 8 | – | 7.0 (sum of 2) | 14.0 (sum of 2) | 1.10 (sum of 2) | 50.0 | 200.0 | 1.00 |',
    );
    expect(out).toContain('| tx-w1 | 8 | – | 4.0 | 8.0 | 0.90 | 50.0 | 200.0 | 1.00 |');
    expect(out).toContain('"(sum of N)"');
    expect(resourceTable([one], 'readonly')).not.toContain('sum of');
  });

  it('report.html results table: the summed CPU, without a pointer to one worker', () => {
    const html = renderHtmlReport([one, two], options, {
      title: 't',
      tldr: [],
      setup: [],
      method: [],
      plots: [],
      cells: [],
      series: [],
      assets: { vega: '', vegaLite: '' },
    });
    const table = html.slice(
      html.indexOf('id="results-table"'),
      html.indexOf('</table>', html.indexOf('id="results-table"')),
    );
    expect(table).toContain('<td class="num" data-value="1.1">1.10 (sum of 2)</td>');
    expect(table).toContain(
      'data-value="0.9" data-pointer="/rows/0/sampling/components/1/cpuCoresMean">0.90<',
    );
    expect(table).toContain('sum over its N processes');
  });
});
