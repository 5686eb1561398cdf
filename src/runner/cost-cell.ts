import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Matrix } from '../matrix/load.js';
import { pgbenchEnv } from '../pgbench/argv.js';
import { extractErrorLines, parseSummary } from '../pgbench/summary.js';
import type { CostCellRecord } from '../results/cost-types.js';
import { runPaths } from '../results/paths.js';
import type { ComponentRole, ConfigPath, Counting, Stack } from '../stack/types.js';
import { redact } from '../util/redact.js';
import { readProcessOutput } from './cost-outputs.js';
import type { CostCell, CountedRole } from './cost-plan.js';
import { costArgv } from './cost-plan.js';
import { type CostPgbench, costComponent, costRecord, type ProcessOutput } from './cost-record.js';

/** pgbench's time limit in a cost cell: generous, as the component may run 50x slower under valgrind. */
export function costTimeoutMs(transactions: number): number {
  return 120_000 + transactions * 50;
}

export interface CostCellContext {
  matrix: Matrix;
  runDir: string;
  stack: Stack;
  /** The run's scratch directory (the counted processes write there). */
  scratch: string;
  signal?: AbortSignal;
}

/** The output directories handed to counted processes, by role, in start order. */
function outDirs(base: string): {
  counting: (c: CostCell, readyMs: number) => Counting;
  dirs: Map<ComponentRole, string[]>;
} {
  const dirs = new Map<ComponentRole, string[]>();
  return {
    dirs,
    counting: (cell, readyMs) => ({
      method: cell.method,
      roles: cell.roles,
      readyTimeoutMs: readyMs,
      outDir: (role, name) => {
        const d = path.join(base, `${role}-${name}`);
        dirs.set(role, [...(dirs.get(role) ?? []), d]);
        return d;
      },
    }),
  };
}

/**
 * One cost cell: the config's components started fresh under valgrind or perf, pgbench -t through
 * them, the components stopped gracefully (so the tools write their counts), the counts read.
 * Nothing here throws for the cell's own failures (a component that does not start under valgrind,
 * pgbench failing): they are the record's reason, and the run goes on.
 */
export async function runCostCell(ctx: CostCellContext, cell: CostCell): Promise<CostCellRecord> {
  const { matrix, stack } = ctx;
  const startedAt = new Date().toISOString();
  const base = path.join(ctx.scratch, 'cost', cell.id);
  rmSync(base, { recursive: true, force: true });
  mkdirSync(base, { recursive: true, mode: 0o755 });
  const keepDir = runPaths(ctx.runDir).costCellDir(cell.id);
  rmSync(keepDir, { recursive: true, force: true });
  mkdirSync(keepDir, { recursive: true });
  const out = outDirs(base);
  const cost = matrix.spec.cost;
  const workload = matrix.workloads.find((w) => w.name === cell.workload);
  if (!cost || !workload)
    throw new Error(`internal: cost cell ${cell.id} without its cost block or workload`);
  let path_: ConfigPath;
  try {
    path_ = await stack.startPath(cell.config, out.counting(cell, cost.ready_timeout));
  } catch (e) {
    await stack.stopPath(cell.config).catch(() => undefined);
    const why = redact(`${(e as Error).message}${tailOf(e)}`);
    return costRecord(cell, {
      startedAt,
      endedAt: new Date().toISOString(),
      argv: [],
      components: cell.roles.map((r) => ({
        component: r,
        processes: 0,
        error: `did not start under ${cell.method}`,
      })),
      failure: `${cell.roles.join(' and ')} did not start under ${cell.method}: ${why}`,
    });
  }
  const argv = costArgv(path_.endpoint, workload, cell, matrix.spec.protocol);
  const pgbench = await runPgbench(stack, path_, argv, keepDir, cell.transactions, ctx.signal);
  // Stopping writes the counts: valgrind and perf write their files as the component exits.
  await stack.stopPath(cell.config);
  const components = cell.roles.map((role) => costComponent(role, outputsOf(cell, role, out.dirs, keepDir)));
  rmSync(base, { recursive: true, force: true });
  return costRecord(cell, {
    startedAt,
    endedAt: new Date().toISOString(),
    argv: argv.map(redact),
    pgbench,
    components,
  });
}

function outputsOf(
  cell: CostCell,
  role: CountedRole,
  dirs: Map<ComponentRole, string[]>,
  keepDir: string,
): ProcessOutput[] {
  return (dirs.get(role) ?? []).map((d) => readProcessOutput(cell.method, d, keepDir));
}

function tailOf(e: unknown): string {
  const t = (e as { logTail?: string }).logTail;
  return t ? ` (log: ${t.split('\n').slice(-3).join(' | ')})` : '';
}

async function runPgbench(
  stack: Stack,
  p: ConfigPath,
  argv: string[],
  keepDir: string,
  transactions: number,
  signal: AbortSignal | undefined,
): Promise<CostPgbench> {
  const r = await stack.pgbench.run({
    args: argv,
    cwd: keepDir,
    env: pgbenchEnv(p.endpoint),
    timeoutMs: costTimeoutMs(transactions),
    ...(signal ? { signal } : {}),
  });
  writeFileSync(path.join(keepDir, 'stdout.txt'), redact(r.stdout));
  writeFileSync(path.join(keepDir, 'stderr.txt'), redact(r.stderr));
  const s = parseSummary(r.stdout, r.stderr);
  const exitCode = r.timedOut ? null : r.exitCode;
  const errorLines = r.timedOut
    ? [`pgbench timed out after ${costTimeoutMs(transactions)} ms`]
    : extractErrorLines(r.stderr).map(redact);
  return { exitCode, processed: s.processed, failed: s.failed, errorLines };
}
