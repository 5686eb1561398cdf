import type { CostCellRecord, CostComponent, CostMethod } from '../../src/results/cost-types.js';

let index = 0;

/** A hand-made cost record: one cell of `config`/`workload` at `transactions`, repeat `repeat`. */
export function costRecord(
  o: {
    config: string;
    workload?: string;
    method: CostMethod;
    transactions: number;
    repeat: number;
    components: CostComponent[];
  } & Partial<Omit<CostCellRecord, 'components'>>,
): CostCellRecord {
  const workload = o.workload ?? 'readonly';
  const { components, ...rest } = o;
  return {
    schema: 1,
    kind: 'cost',
    id: `cost__${o.config}__${workload}__t${o.transactions}__r${o.repeat}__${o.method}`,
    index: index++,
    clients: 1,
    reconnect: false,
    state: 'completed',
    startedAt: '2026-12-04T18:00:00.000Z',
    endedAt: '2026-12-04T18:00:05.000Z',
    argv: ['pgbench', '-S', '-c', '1', '-t', String(o.transactions)],
    processed: o.transactions,
    failed: 0,
    ...rest,
    workload,
    components,
  };
}

/**
 * The records of one config: per repeat, a valgrind and a perf cell at each transaction count, the
 * component's counts = fixed + perTx × transactions (+ jitter[repeat] on the per-transaction part).
 */
export function costConfig(o: {
  config: string;
  workload?: string;
  component?: string;
  counts?: number[];
  repeats?: number;
  instructionsPerTx: number;
  syscallsPerTx?: number;
  /** Relative jitter of repeat r's per-transaction figures, e.g. [0, 0.001, -0.001]. */
  jitter?: number[];
  fixed?: number;
  functions?: { fn: string; perTx: number }[];
}): CostCellRecord[] {
  const counts = o.counts ?? [2000, 6000];
  const out: CostCellRecord[] = [];
  const fixed = o.fixed ?? 1_000_000;
  for (let r = 1; r <= (o.repeats ?? 3); r++) {
    const j = 1 + (o.jitter?.[r - 1] ?? 0);
    for (const t of counts) {
      const component = o.component ?? 'proxy';
      out.push(
        costRecord({
          config: o.config,
          ...(o.workload ? { workload: o.workload } : {}),
          method: 'valgrind',
          transactions: t,
          repeat: r,
          components: [
            {
              component,
              processes: 1,
              instructions: fixed + o.instructionsPerTx * j * t,
              symbolized: true,
              functions: (o.functions ?? []).map((f) => ({ fn: f.fn, instructions: 1000 + f.perTx * j * t })),
            },
          ],
        }),
        costRecord({
          config: o.config,
          ...(o.workload ? { workload: o.workload } : {}),
          method: 'perf',
          transactions: t,
          repeat: r,
          components: [
            {
              component,
              processes: 1,
              syscalls: 50 + (o.syscallsPerTx ?? 5) * j * t,
              contextSwitches: 20 + 2 * j * t,
              taskClockMs: 5 + 0.01 * j * t,
              pageFaults: 300,
            },
          ],
        }),
      );
    }
  }
  return out;
}
