import type { RunInfo } from '../../src/results/types.js';
import type { ExternalMeta } from './external-meta.js';
import type { GateReport } from './gates.js';
import type { Thresholds, Warning } from './row.js';

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
}
