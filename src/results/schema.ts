import { z } from 'zod';
import { PROTOCOLS } from '../matrix/protocol.js';
import type { SamplingSummary } from '../sampling/types.js';
import type { CellRecord, RunInfo } from './types.js';

/**
 * The results contract as zod schemas, checked where run.json and cells.jsonl are read. Objects are
 * loose: a field a later bench added (same schema number) is kept, not refused; the fields readers
 * rely on must be there with the right type. The annotations tie each schema to its TypeScript
 * type (src/results/types.ts), so the two cannot drift apart.
 */

const overrides = z.looseObject({
  duration: z.string().optional(),
  warmup: z.string().optional(),
  reps: z.number().optional(),
  scale: z.number().optional(),
  concurrency: z.array(z.number()).optional(),
  configs: z.array(z.string()).optional(),
  workloads: z.array(z.string()).optional(),
  provider: z.string().optional(),
  images: z.record(z.string(), z.string()).optional(),
  profile: z.boolean().optional(),
});

const effective = z.looseObject({
  name: z.string().optional(),
  configs: z.array(z.looseObject({ name: z.string(), kind: z.string() })),
  workloads: z.array(z.union([z.string(), z.looseObject({ name: z.string() })])),
  concurrency: z.array(z.number()),
  reps: z.number(),
  duration: z.number(),
  baseline: z.string().optional(),
  // Limits are numbers; `events` holds the per-event gates (src/matrix/event-gates.ts).
  gates: z
    .record(
      z.string(),
      z.union([z.number(), z.record(z.string(), z.record(z.string(), z.number()))]).optional(),
    )
    .optional(),
  overrides: overrides.optional(),
});

export const runInfoSchema: z.ZodType<RunInfo> = z.looseObject({
  schema: z.literal(1),
  tool: z.looseObject({ name: z.literal('bench'), version: z.string(), gitSha: z.string().optional() }),
  runId: z.string(),
  command: z.array(z.string()),
  matrix: z.looseObject({
    file: z.string(),
    hash: z.string(),
    text: z.string(),
    name: z.string().optional(),
  }),
  effective,
  provider: z.string(),
  providerReason: z.string().optional(),
  versions: z.record(z.string(), z.string()),
  host: z.looseObject({
    hostname: z.string(),
    cpus: z.number(),
    cpuModel: z.string(),
    memoryBytes: z.number(),
    kernel: z.string(),
    platform: z.string(),
  }),
  stack: z
    .looseObject({
      startupMs: z.number().optional(),
      initMs: z.number().optional(),
      network: z.string().optional(),
    })
    .optional(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  resumedAt: z.array(z.string()).optional(),
  order: z
    .looseObject({
      mode: z.enum(['shuffle', 'fixed']),
      seed: z.number(),
      reps: z.record(z.string(), z.array(z.string())),
    })
    .optional(),
  outcome: z.enum(['completed', 'failed', 'interrupted', 'stack-error', 'error']).optional(),
  cellsPlanned: z.number(),
  shard: z
    .looseObject({
      index: z.number().int().positive(),
      count: z.number().int().positive(),
      groups: z.array(z.string()),
      seedFrom: z.enum(['matrix', 'derived']),
    })
    .optional(),
});

const summary = z.looseObject({
  transactionType: z.string().optional(),
  scalingFactor: z.number().optional(),
  queryMode: z.string().optional(),
  clients: z.number().optional(),
  threads: z.number().optional(),
  durationS: z.number().optional(),
  processed: z.number(),
  failed: z.number(),
  latencyAvgMs: z.number().optional(),
  latencyStddevMs: z.number().optional(),
  initialConnectionMs: z.number().optional(),
  averageConnectionMs: z.number().optional(),
  tps: z.number().optional(),
  tpsBasis: z.enum(['without-initial-connection', 'including-reconnection', 'unknown']).optional(),
  aborted: z.boolean(),
  skipped: z.number().optional(),
  lateTransactions: z.number().optional(),
  lagAvgMs: z.number().optional(),
  lagMaxMs: z.number().optional(),
});

const latency = z.looseObject({
  count: z.number(),
  failed: z.number(),
  skipped: z.number(),
  meanMs: z.number(),
  minMs: z.number(),
  p50Ms: z.number(),
  p90Ms: z.number(),
  p95Ms: z.number(),
  p99Ms: z.number(),
  p999Ms: z.number(),
  maxMs: z.number(),
  lag: z.looseObject({ meanMs: z.number(), p99Ms: z.number(), maxMs: z.number() }).optional(),
  histogramFile: z.string(),
});

const clients = z.looseObject({
  clients: z.number(),
  served: z.number(),
  starved: z.number(),
  starvedBelow: z.number(),
  typical: z.number(),
  min: z.number(),
  p10: z.number(),
  median: z.number(),
  max: z.number(),
  mean: z.number(),
  jain: z.number().optional(),
  processes: z.number(),
});

const group = z.looseObject({
  name: z.string(),
  clients: z.number(),
  threads: z.number(),
  database: z.string(),
  role: z.string(),
  argv: z.array(z.string()),
  processes: z.number(),
  logPrefix: z.string(),
  exitCode: z.number().nullable(),
  load: z
    .looseObject({ workload: z.string(), rate: z.number().optional(), latencyLimitMs: z.number().optional() })
    .optional(),
  summary: summary.optional(),
  latency: latency.optional(),
  clientFigures: clients.optional(),
  connectionErrors: z.number(),
  segments: z
    .array(
      z.looseObject({
        index: z.number(),
        count: z.number(),
        startMs: z.number(),
        durationMs: z.number(),
        rate: z.number(),
        burst: z.boolean(),
        startedAfterMs: z.number().optional(),
        logPrefix: z.string(),
        processes: z.number(),
        exitCode: z.number().nullable(),
        summary: summary.optional(),
      }),
    )
    .optional(),
});

// The samplers' summary has its own reader (summarize/); here it only has to be an object.
const sampling = z.custom<SamplingSummary>((v) => typeof v === 'object' && v !== null && !Array.isArray(v));

const cellBase = {
  schema: z.literal(1),
  id: z.string(),
  index: z.number(),
  config: z.string(),
  workload: z.string(),
  concurrency: z.number(),
  rep: z.number(),
  threads: z.number(),
  protocol: z.enum(PROTOCOLS).optional(),
  versions: z.record(z.string(), z.string()).optional(),
  startedAt: z.string(),
  endedAt: z.string(),
  argv: z.array(z.string()),
  prepared: z.array(z.string()),
  warnings: z.array(z.string()),
  sampling: sampling.optional(),
  latency: latency.optional(),
  clients: clients.optional(),
  groups: z.array(group).optional(),
  connectionErrors: z.number(),
  load: z
    .looseObject({
      workload: z.string(),
      rate: z.number().optional(),
      latencyLimitMs: z.number().optional(),
      segment: z
        .looseObject({
          index: z.number(),
          count: z.number(),
          startMs: z.number(),
          durationMs: z.number(),
          rate: z.number(),
          shape: z.enum(['constant', 'step', 'ramp', 'diurnal']),
          burst: z.boolean(),
        })
        .optional(),
    })
    .optional(),
  abortedClients: z.number().optional(),
  stderrEvents: z
    .array(
      z.looseObject({
        at: z.number(),
        process: z.number(),
        kind: z.enum(['aborted', 'connection-error', 'connection-error-pgbench']),
        client: z.number().optional(),
        connecting: z.literal(true).optional(),
      }),
    )
    .optional(),
  stderrEventsDropped: z.number().optional(),
  abortedAt: z.array(z.number()).optional(),
  events: z
    .array(
      z.looseObject({
        target: z.string(),
        kind: z.enum(['signal', 'admin', 'settings', 'postgres', 'failover', 'fault']).optional(),
        action: z.string().optional(),
        signal: z.string().optional(),
        index: z.number().optional(),
        atMs: z.number(),
        firedAt: z.number().optional(),
        offsetMs: z.number().optional(),
        doneAt: z.number().optional(),
        steps: z.array(z.looseObject({ name: z.string(), at: z.number() })).optional(),
        pids: z.array(z.number()),
        error: z.string().optional(),
      }),
    )
    .optional(),
  cancelCheck: z
    .looseObject({
      probes: z.number(),
      landed: z.number(),
      missed: z.number(),
      unknown: z.number().optional(),
      failed: z.number(),
      promptMs: z.number(),
      sleepS: z.number().optional(),
      landedMs: z.looseObject({ median: z.number(), max: z.number() }).optional(),
      errors: z.array(z.string()).optional(),
    })
    .optional(),
  pgbouncerWorkers: z
    .looseObject({
      port: z.number(),
      listenSockets: z.number(),
      cancel: z.string().optional(),
      peered: z.boolean().optional(),
      workers: z.array(
        z.looseObject({
          worker: z.number(),
          pid: z.number().optional(),
          listening: z.boolean(),
          xacts: z.number().optional(),
          queries: z.number().optional(),
          error: z.string().optional(),
        }),
      ),
    })
    .optional(),
  profile: z
    .looseObject({
      event: z.string(),
      components: z.array(
        z.looseObject({
          component: z.string(),
          pids: z.array(z.number()),
          samples: z.number(),
          stacks: z.number(),
          file: z.string().optional(),
          sampleFrequencyHz: z.number().optional(),
          error: z.string().optional(),
        }),
      ),
    })
    .optional(),
};

export const cellRecordSchema: z.ZodType<CellRecord> = z.discriminatedUnion('state', [
  z.looseObject({
    ...cellBase,
    state: z.literal('completed'),
    exitCode: z.union([z.literal(0), z.literal(2)]),
    summary,
  }),
  z.looseObject({
    ...cellBase,
    state: z.enum(['failed', 'timed-out', 'interrupted', 'skipped']),
    exitCode: z.number().nullable(),
    reason: z.string(),
    errorLines: z.array(z.string()),
    summary: summary.optional(),
  }),
]);

/** One line per problem: `field.path: message`, for an error or a warning. */
export function describeIssues(e: z.ZodError): string {
  return e.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
