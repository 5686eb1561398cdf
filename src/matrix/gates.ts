import { z } from 'zod';
import type { Gates, MatrixSpec } from './schema.js';

/**
 * Gates on cost cells (issue 18), checked by summarize on the cost rows: the most work per
 * transaction a component may do, per (config, workload, component). Limits are plain counts per
 * transaction (instructions under valgrind, syscalls under perf), measured in cost cells only.
 */
export const costGateFields = {
  max_instructions_per_tx: z.number().positive().optional(),
  max_syscalls_per_tx: z.number().positive().optional(),
};

/**
 * The gates that apply to one config × workload: the matrix-wide ones, overridden key by key by
 * the config's, then by the workload's (the most specific wins).
 */
export function gatesFor(
  spec: Pick<MatrixSpec, 'gates' | 'configs' | 'workloads'>,
  config: string,
  workload: string,
): Gates {
  const c = spec.configs.find((x) => x.name === config);
  const w = spec.workloads.find((x) => typeof x !== 'string' && x.name === workload);
  return { ...spec.gates, ...(c?.gates ?? {}), ...(w && typeof w !== 'string' ? (w.gates ?? {}) : {}) };
}
