import { pairCount, type Tenants, tenantsOf } from './tenants.js';

/** The fields it reads: a MatrixSpec, or run.json's `effective` read back (summarize/input/shards.ts). */
interface Spec {
  concurrency: number[];
  /** A config's own `tenants:` is its share of the matrix's (src/matrix/tenants.ts). */
  configs: readonly { name: string; concurrency?: number[] | undefined; tenants?: Tenants | undefined }[];
  /** Read for mixes only (a mix multiplies its groups' clients by the concurrency: src/matrix/mix.ts). */
  workloads?: readonly (
    | string
    | { mix?: readonly { clients: number; tenant?: 'each' | undefined }[] | undefined }
  )[];
  /** A `tenant: each` group runs once per (database, role) pair (src/matrix/tenants.ts). */
  tenants?: Tenants | undefined;
}

/** The client counts a config runs: its own `concurrency` list, else the matrix's. */
export function concurrencyOf(spec: Spec, config: string): number[] {
  return spec.configs.find((c) => c.name === config)?.concurrency ?? spec.concurrency;
}

/**
 * The most clients one cell of a config holds (1 when there is none): its largest concurrency, or,
 * for a mix, that factor times the mix's clients, whichever workload is larger.
 */
export function maxClientsOf(spec: Spec, config: string): number {
  const n = Math.max(1, ...concurrencyOf(spec, config));
  const pairs = pairCount(tenantsOf(spec, config));
  const perFactor = (spec.workloads ?? []).map((w) =>
    typeof w === 'string' || w.mix === undefined
      ? 1
      : w.mix.reduce((a, g) => a + g.clients * (g.tenant === 'each' ? pairs : 1), 0),
  );
  return n * Math.max(1, ...perFactor);
}
