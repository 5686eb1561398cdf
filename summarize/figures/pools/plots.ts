import { plotFile } from '../../../src/results/paths.js';
import { HEIGHT, PLOT_CONFIG, SCHEMA, WIDTH } from '../../plots/specs.js';
import type { PlotJob } from '../figure.js';
import { type PoolsRow, poolCounts } from './rows.js';

/**
 * PgBouncer's PSS against its pool count, one point per cell row (mean over reps), one colour per
 * config: drawn only when the rows have two pool counts or more (a single count is no relation).
 */
export function poolPlots(rows: readonly PoolsRow[]): PlotJob[] {
  if (poolCounts(rows).length < 2) return [];
  const values = rows.flatMap(({ row }) => {
    const pss = row.pools.cost?.pssMeanBytes;
    return pss === undefined
      ? []
      : [
          {
            pools: row.pools.poolsPeak,
            pssMiB: pss / 1048576,
            config: row.config,
            cell: `${row.workload} @${row.concurrency} clients`,
          },
        ];
  });
  return [
    {
      name: plotFile('pools', 'pss'),
      title: 'PgBouncer PSS against its pool count',
      spec: {
        $schema: SCHEMA,
        title: {
          text: 'PgBouncer PSS against its pool count',
          subtitle: 'mean PSS over each cell, summed over PgBouncer processes, mean over reps',
        },
        width: WIDTH,
        height: HEIGHT,
        config: PLOT_CONFIG,
        data: { values },
        mark: { type: 'line', point: { filled: true, size: 60 } },
        encoding: {
          x: { field: 'pools', type: 'quantitative', title: 'pools (peak listed by SHOW POOLS)' },
          y: { field: 'pssMiB', type: 'quantitative', title: 'PgBouncer PSS (MiB)' },
          color: { field: 'config', type: 'nominal', title: 'config' },
          order: { field: 'pools', type: 'quantitative' },
          tooltip: [
            { field: 'config', type: 'nominal' },
            { field: 'cell', type: 'nominal' },
            { field: 'pools', type: 'quantitative' },
            { field: 'pssMiB', type: 'quantitative', format: '.2f' },
          ],
        },
      },
    },
  ];
}
