import type { MatrixSpec } from './schema.js';

type Spec = Pick<MatrixSpec, 'concurrency' | 'configs'>;

/** The client counts a config runs: its own `concurrency` list, else the matrix's. */
export function concurrencyOf(spec: Spec, config: string): number[] {
  return spec.configs.find((c) => c.name === config)?.concurrency ?? spec.concurrency;
}

/** Every client count some config of the matrix runs, ascending, without repeats. */
export function allConcurrency(spec: Spec): number[] {
  const all = new Set(spec.configs.flatMap((c) => c.concurrency ?? spec.concurrency));
  return [...all].sort((a, b) => a - b);
}

/** The largest client count a config runs (1 when there is none). */
export function maxConcurrencyOf(spec: Spec, config: string): number {
  return Math.max(1, ...concurrencyOf(spec, config));
}
