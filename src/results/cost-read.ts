import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { COST_SCHEMA, type CostCellRecord } from './cost-types.js';
import { runPaths } from './paths.js';
import { describeIssues } from './schema.js';

const count = z.number().nonnegative();

const costFunctionSchema = z.object({ fn: z.string(), file: z.string().optional(), instructions: count });

const costComponentSchema = z.object({
  component: z.string().min(1),
  processes: z.number().int().nonnegative(),
  instructions: count.optional(),
  functions: z.array(costFunctionSchema).optional(),
  symbolized: z.boolean().optional(),
  syscalls: count.optional(),
  contextSwitches: count.optional(),
  taskClockMs: count.optional(),
  pageFaults: count.optional(),
  error: z.string().optional(),
});

/** The reader's view of a cost.jsonl line: unknown extra fields are dropped, not fatal. */
const costCellSchema = z.object({
  schema: z.number().int(),
  kind: z.literal('cost'),
  id: z.string().min(1),
  index: z.number().int(),
  config: z.string().min(1),
  workload: z.string().min(1),
  method: z.enum(['valgrind', 'perf']),
  transactions: z.number().int().positive(),
  clients: z.number().int().positive(),
  repeat: z.number().int().positive(),
  reconnect: z.boolean(),
  state: z.enum(['completed', 'failed']),
  reason: z.string().optional(),
  startedAt: z.string(),
  endedAt: z.string(),
  argv: z.array(z.string()),
  processed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  components: z.array(costComponentSchema),
});

/**
 * The cost records of a cost.jsonl, the last one per id (a retried cell supersedes the earlier
 * one). Like cells.jsonl, a damaged line (truncated by a crash, a hand edit, a newer schema) is
 * skipped with a warning naming file and line; the other records still summarize.
 */
export function parseCostJsonl(
  text: string,
  file: string,
): { records: CostCellRecord[]; warnings: string[] } {
  const warnings: string[] = [];
  const byId = new Map<string, CostCellRecord>();
  const lines = text.split('\n');
  const lastNonEmpty = lines.reduce((acc, l, i) => (l.trim() === '' ? acc : i), -1);
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      warnings.push(
        i === lastNonEmpty && !text.endsWith('\n')
          ? `${where}: truncated last line skipped (the run was probably killed mid-write)`
          : `${where}: not JSON, line skipped`,
      );
      return;
    }
    const schema = (json as { schema?: unknown } | null)?.schema;
    if (typeof schema === 'number' && schema > COST_SCHEMA) {
      warnings.push(`${where}: cost schema ${schema} is newer than this bench understands; line skipped`);
      return;
    }
    const rec = costCellSchema.safeParse(json);
    if (!rec.success) {
      warnings.push(`${where}: not a cost record (${describeIssues(rec.error)}), line skipped`);
      return;
    }
    byId.set(rec.data.id, rec.data as CostCellRecord);
  });
  return { records: [...byId.values()].sort((a, b) => a.index - b.index), warnings };
}

/** A run directory's cost records; a run without cost cells has none and no warning. */
export function readCostRecords(dir: string): { records: CostCellRecord[]; warnings: string[] } {
  const file = runPaths(dir).costJsonl;
  if (!existsSync(file)) return { records: [], warnings: [] };
  return parseCostJsonl(readFileSync(file, 'utf8'), file);
}
