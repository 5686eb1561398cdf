/** The fields it reads: a MatrixSpec, or run.json's `effective` read back (summarize/input/shards.ts). */
interface Spec {
  concurrency: number[];
  configs: readonly { name: string; concurrency?: number[] | undefined }[];
}

/** The client counts a config runs: its own `concurrency` list, else the matrix's. */
export function concurrencyOf(spec: Spec, config: string): number[] {
  return spec.configs.find((c) => c.name === config)?.concurrency ?? spec.concurrency;
}

/** The largest client count a config runs (1 when there is none). */
export function maxConcurrencyOf(spec: Spec, config: string): number {
  return Math.max(1, ...concurrencyOf(spec, config));
}
