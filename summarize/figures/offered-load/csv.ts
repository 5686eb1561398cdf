import { csvNumber as n } from '../../model/format.js';
import type { LoadFigures, Row } from '../../model/row.js';
import type { CsvColumn } from '../figure.js';

/** A column from the row's load figures; empty for a row without a rate. */
function col(name: string, value: (l: LoadFigures, r: Row) => string): CsvColumn {
  return { name, value: (r) => (r.load ? value(r.load, r) : '') };
}

/** summary.csv's offered-load columns (present only when a row is rate-limited). */
export const LOAD_CSV: readonly CsvColumn[] = [
  col('load_workload', (l) => l.workload),
  col('offered_tps', (l) => n(l.offeredTps, 3)),
  col('latency_limit_ms', (l) => n(l.latencyLimitMs, 3)),
  col('segment', (l) => n(l.segment?.index, 0)),
  col('segment_count', (l) => n(l.segment?.count, 0)),
  col('segment_start_s', (l) => n(l.segment?.startS, 3)),
  col('segment_duration_s', (l) => n(l.segment?.durationS, 3)),
  col('segment_burst', (l) => (l.segment ? String(l.segment.burst) : '')),
  col('achieved_tps', (l) => n(l.achievedTps, 3)),
  col('achieved_ratio', (l) => n(l.achievedRatio, 4)),
  col('rate_met', (l) => String(l.met)),
  col('connect_ms', (l) => n(l.connectMs, 3)),
  col('skipped_transactions', (l) => String(l.skipped)),
  col('late_transactions', (l) => n(l.lateTransactions, 0)),
  col('lag_mean_ms', (l) => n(l.lagMeanMs, 3)),
  col('lag_p99_ms', (l) => n(l.lagP99Ms, 3)),
  col('lag_max_ms', (l) => n(l.lagMaxMs, 3)),
  col('maxwait_ms_peak', (_l, r) => n(r.sampling?.maxwaitMsPeak, 3)),
];
