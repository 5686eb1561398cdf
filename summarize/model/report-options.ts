import type { RunInfo } from '../../src/results/types.js';
import type { CancelRow } from './cancel-check.js';
import type { CostRow } from './cost-rows.js';
import type { ExternalMeta } from './external-meta.js';
import type { GateReport } from './gates.js';
import type { EventOutage } from './outage.js';
import type { Thresholds, Warning } from './row.js';
import type { SweepSeries } from './sweep.js';

/** What a report says about where its numbers come from (from run.json of every merged run). */
export interface ReportMeta {
  runIds: string[];
  matrix?: { file: string; hash: string; name?: string };
  tool?: RunInfo['tool'];
  provider?: string;
  providerReason?: string;
  versions: Record<string, string>;
  host?: RunInfo['host'];
  startedAt?: string;
  endedAt?: string;
  /** The command that produced the first run, as typed. */
  command?: string[];
  cellsPlanned?: number;
  /** An external stack's endpoints, PIDs and data (provider external only). */
  external?: ExternalMeta;
}

/** Everything a renderer may use besides the rows. Renderers are `(rows, options) => string`. */
export interface RenderOptions {
  warnings: readonly Warning[];
  meta?: ReportMeta;
  baseline?: string;
  thresholds?: Thresholds;
  gates?: GateReport;
  /** The cost rows (cost.jsonl, issue 18): their own section of every output, never mixed into `rows`. */
  cost?: readonly CostRow[];
  /** Setting sweeps (summarize/model/sweep.ts), when configs of the run were expanded from a setting list. */
  sweeps?: readonly SweepSeries[];
  /** The outage around each event sent in a cell (summarize/model/outage.ts), when any was. */
  outages?: readonly EventOutage[];
  /** The cancel check per config (summarize/model/cancel-check.ts), when any cell ran it. */
  cancelChecks?: readonly CancelRow[];
}
