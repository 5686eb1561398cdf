import type { Gates, MatrixSpec } from './schema.js';

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
