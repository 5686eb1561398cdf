import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationError, StackError } from '../errors.js';
import type { Cell } from '../matrix/expand.js';
import { loadMatrix, type Matrix, type MatrixOverrides } from '../matrix/load.js';
import { autoThreads } from '../pgbench/argv.js';
import { ensureResultsDir } from '../results/dir.js';
import { runPaths } from '../results/paths.js';
import { readRun } from '../results/read.js';
import type { CellRecord, RunInfo } from '../results/types.js';
import { RESULTS_SCHEMA } from '../results/types.js';
import { appendCell, ensureRunDir, repairCellsJsonl, writeRunInfo } from '../results/write.js';
import { startSampling as startCellSampling } from '../sampling/session.js';
import { checkClientLimits, clientLimits } from '../stack/limits.js';
import { isFree } from '../stack/ports.js';
import { chooseProvider } from '../stack/select.js';
import type { Stack } from '../stack/types.js';
import { type CellHooks, cellNotRun, runCell } from './cell.js';
import { gitSha, hostInfo, makeRunId } from './host.js';
import { awaitIsolation, describeIsolation } from './isolation.js';
import { configOrder, planCells, switchesConfig } from './plan.js';
import { initData, prepareCell, writes } from './prepare.js';
import { TOOL_VERSION } from './version.js';

export interface RunEvents {
  log(msg: string): void;
  cellStart?(cell: Cell, position: number, total: number, etaMs: number | undefined, durationS: number): void;
  cellProgress?(cell: Cell, tps: number, elapsedS: number): void;
  cellEnd?(cell: Cell, rec: CellRecord, position: number, total: number): void;
}

export interface RunOptions {
  matrixFile: string;
  overrides?: MatrixOverrides;
  resultsDir?: string;
  /** Continue this run directory: cells already finished are skipped. */
  resume?: string;
  /** Resume even though the matrix file changed since the run started. */
  allowChangedMatrix?: boolean;
  failFast?: boolean;
  command?: string[];
  events: RunEvents;
  signal?: AbortSignal;
  /** Turn the per-cell samplers off (they are on by default). */
  noSampling?: boolean;
}

export type RunOutcome = 'completed' | 'failed' | 'interrupted';

export interface RunResult {
  runDir: string;
  runId: string;
  matrix: Matrix;
  /** Cells recorded by this invocation. */
  records: CellRecord[];
  /** Every cell of the run directory, latest record per cell (earlier sessions of a resumed run included). */
  allRecords: CellRecord[];
  outcome: RunOutcome;
}

/** States that end a cell for good; `interrupted` and `skipped` cells run again on resume. */
const FINISHED = new Set(['completed', 'failed', 'timed-out']);

export async function runMatrix(opts: RunOptions): Promise<RunResult> {
  const { events } = opts;
  let matrix = loadMatrix(opts.matrixFile, opts.overrides);
  let runDir: string;
  let previous: CellRecord[] = [];
  let runInfo: RunInfo | undefined;
  if (opts.resume) {
    const prev = readRun(opts.resume);
    if (prev.run.matrix.hash !== matrix.hash && !opts.allowChangedMatrix) {
      throw new ConfigurationError(
        `${opts.matrixFile}: the matrix changed since run ${prev.run.runId} started (sha256 ${prev.run.matrix.hash.slice(0, 12)} -> ${matrix.hash.slice(0, 12)}); pass --allow-changed-matrix to resume anyway`,
      );
    }
    // Resume with the overrides the run started with, so the cell set is the same; different
    // flags now would mix two experiments in one run directory.
    const saved = (prev.run.effective as { overrides?: MatrixOverrides }).overrides ?? {};
    const given = opts.overrides ?? {};
    if (
      Object.keys(given).length > 0 &&
      JSON.stringify(sortKeys(given)) !== JSON.stringify(sortKeys(saved))
    ) {
      throw new ConfigurationError(
        `--resume ${opts.resume}: expected no override flags or the ones the run started with (${describeOverrides(saved)}), got ${describeOverrides(given)}`,
      );
    }
    matrix = loadMatrix(opts.matrixFile, saved);
    for (const w of prev.warnings) events.log(`warning: ${w}`);
    const repaired = repairCellsJsonl(prev.dir);
    if (repaired) events.log(repaired);
    runDir = prev.dir;
    previous = prev.cells;
    runInfo = prev.run;
  } else {
    const resultsDir = ensureResultsDir(opts.resultsDir ?? 'results');
    const name = matrix.spec.name ?? path.basename(opts.matrixFile).replace(/\.ya?ml$/, '');
    let runId = makeRunId(name);
    for (let i = 2; existsSync(path.join(resultsDir, runId)); i++) runId = `${makeRunId(name)}-${i}`;
    runDir = path.join(resultsDir, runId);
  }

  checkClientLimits(matrix.file, matrix.spec.concurrency, clientLimits());
  await checkFixedPorts(matrix);
  checkProxyFiles(matrix);
  const order =
    runInfo?.order ??
    configOrder(
      matrix.spec.configs.map((c) => c.name),
      matrix.spec.reps,
      matrix.spec.config_order,
      matrix.spec.seed ?? Math.floor(Math.random() * 2 ** 31),
    );
  const cells = planCells(matrix, order);
  const done = new Set(previous.filter((c) => FINISHED.has(c.state)).map((c) => c.id));
  const todo = cells.filter((c) => !done.has(c.id));
  const { provider, reason } = await chooseProvider(matrix.spec.provider);
  events.log(`provider: ${provider.name} (${reason})`);
  provider.preflight?.(matrix);

  ensureRunDir(runDir);
  const runId = path.basename(runDir);
  const info: RunInfo = runInfo ?? {
    schema: RESULTS_SCHEMA,
    tool: { name: 'bench', version: TOOL_VERSION, ...(await gitShaField()) },
    runId,
    command: opts.command ?? [],
    matrix: {
      file: path.relative(process.cwd(), matrix.file) || matrix.file,
      hash: matrix.hash,
      text: matrix.text,
      ...(matrix.spec.name ? { name: matrix.spec.name } : {}),
    },
    effective: { ...matrix.spec, overrides: opts.overrides ?? {} },
    provider: provider.name,
    providerReason: reason,
    versions: {},
    host: hostInfo(),
    startedAt: new Date().toISOString(),
    cellsPlanned: cells.length,
    order,
  };
  if (opts.resume) info.resumedAt = [...(info.resumedAt ?? []), new Date().toISOString()];
  writeRunInfo(runDir, info);

  const workdir = mkdtempSync(path.join(os.tmpdir(), `bench-${runId}-`));
  const records: CellRecord[] = [];
  let stack: Stack | undefined;
  let outcome: RunOutcome = 'completed';
  let errorOutcome: string | undefined;
  const result = (): RunResult => {
    const latest = new Map(previous.map((c) => [c.id, c]));
    for (const r of records) latest.set(r.id, r);
    const allRecords = [...latest.values()].sort((a, b) => a.index - b.index);
    return { runDir, runId, matrix, records, allRecords, outcome };
  };
  try {
    if (todo.length === 0) {
      events.log('nothing to do: every cell of this run has finished');
      outcome = previous.some((c) => c.state !== 'completed') ? 'failed' : 'completed';
      return result();
    }
    const t0 = Date.now();
    stack = await provider.start({
      matrix,
      runId,
      workdir,
      log: events.log,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    info.versions = { ...stack.versions };
    info.stack = { ...stack.details, startupMs: Date.now() - t0 };
    writeRunInfo(runDir, info);
    if (opts.signal?.aborted) throw new InterruptedError();
    events.log(`initializing pgbench data, scale ${matrix.spec.scale}`);
    const initMs = await initData(stack, matrix.spec.scale, workdir, opts.signal);
    events.log(`pgbench -i -s ${matrix.spec.scale} took ${(initMs / 1000).toFixed(1)} s`);
    info.stack = { ...info.stack, initMs };
    writeRunInfo(runDir, info);

    const cores = os.availableParallelism();
    const byName = new Map(matrix.workloads.map((w) => [w.name, w]));
    let lastWrote = true;
    const cellMs: number[] = [];
    let up: string | undefined;
    for (const [i, cell] of todo.entries()) {
      if (opts.signal?.aborted) throw new InterruptedError();
      const workload = byName.get(cell.workload);
      if (!workload) throw new Error(`internal: workload ${cell.workload} not found`);
      const role = stack.roles.get(cell.config);
      if (!role) throw new Error(`internal: config ${cell.config} has no role`);
      const cellStart = Date.now();
      const eta =
        cellMs.length === 0
          ? undefined
          : (cellMs.reduce((a, b) => a + b, 0) / cellMs.length) * (todo.length - i);
      events.cellStart?.(cell, i + 1, todo.length, eta, Math.max(1, Math.round(matrix.spec.duration / 1000)));
      if (!stack.postgresComponent.alive()) {
        throw new StackError(`PostgreSQL died (${stack.postgresComponent.logTail(3)}); stopping the run`);
      }
      // One path up at a time: the previous config's pooler or proxy stops (its server connections
      // with it) before this config's starts, so every backend during the cell is this config's.
      if (switchesConfig(todo, i) && up !== undefined) {
        await stack.stopPath(up);
        up = undefined;
      }
      let cfgPath = await stack.startPath(cell.config);
      up = cell.config;
      if (JSON.stringify(stack.versions) !== JSON.stringify(info.versions)) {
        info.versions = { ...stack.versions };
        writeRunInfo(runDir, info);
      }
      if (cfgPath.components.some((c) => !c.alive())) {
        events.log(`restarting ${cell.config}: a component had died`);
        cfgPath = await stack.restartPath(cell.config);
      }
      const cellDir = runPaths(runDir).cellDir(cell.id);
      rmSync(cellDir, { recursive: true, force: true });
      mkdirSync(cellDir, { recursive: true });
      const prepared = await prepareCell(stack, cfgPath, { vacuum: lastWrote, settleMs: matrix.spec.settle });
      const isolation = await awaitIsolation(stack.postgres, role, matrix.spec.isolation_wait, opts.signal);
      prepared.push(describeIsolation(isolation.count, isolation.waitedMs));
      lastWrote = writes(workload);
      const sampled = cfgPath;
      const threads =
        matrix.spec.threads === 'auto'
          ? autoThreads(cell.concurrency, cores)
          : Math.min(matrix.spec.threads, cell.concurrency);
      const startSampling: CellHooks['startSampling'] = opts.noSampling
        ? undefined
        : () =>
            startCellSampling({
              postgres: stack?.postgres ?? sampled.endpoint,
              database: sampled.endpoint.database,
              role,
              durationMs: matrix.spec.duration,
              ...(sampled.pgbouncerAdmin ? { pgbouncerAdmin: sampled.pgbouncerAdmin } : {}),
              components: [...(stack ? [stack.postgresComponent] : []), ...sampled.components],
              intervalMs: matrix.spec.sample_interval,
              clients: cell.concurrency,
              cellDir,
            });
      const plan = {
        cell,
        workload,
        path: cfgPath,
        threads,
        durationMs: matrix.spec.duration,
        warmupMs: matrix.spec.warmup,
        protocol: matrix.spec.protocol,
        cellDir,
        keepRawLogs: matrix.spec.keep_raw_logs,
        prepared,
        ...(matrix.spec.hang_grace === undefined ? {} : { hangGraceMs: matrix.spec.hang_grace }),
      };
      const rec =
        isolation.count.foreignTotal > 0
          ? cellNotRun(
              plan,
              `isolation: ${isolation.count.foreignTotal} client backends of other configs were still connected ` +
                `after ${isolation.waitedMs} ms (${Object.keys(isolation.count.foreign).join(', ')}); the cell did not run`,
            )
          : await runCell(stack, plan, {
              log: events.log,
              onProgress: (tps, t) => events.cellProgress?.(cell, tps, t),
              ...(startSampling ? { startSampling } : {}),
              ...(opts.signal ? { signal: opts.signal } : {}),
            });
      appendCell(runDir, rec);
      records.push(rec);
      cellMs.push(Date.now() - cellStart);
      events.cellEnd?.(cell, rec, i + 1, todo.length);
      if (rec.state === 'interrupted') throw new InterruptedError();
      if (rec.state !== 'completed') {
        outcome = 'failed';
        if (!stack.postgresComponent.alive()) {
          throw new StackError(
            `PostgreSQL died during cell ${cell.id}; every finished cell is in ${runPaths(runDir).cellsJsonl}`,
          );
        }
        if (opts.failFast) {
          events.log(`--fail-fast: stopping after failed cell ${cell.id}`);
          break;
        }
      }
    }
    if (previous.some((c) => FINISHED.has(c.state) && c.state !== 'completed')) outcome = 'failed';
    return result();
  } catch (e) {
    if (e instanceof InterruptedError || opts.signal?.aborted) {
      outcome = 'interrupted';
      return result();
    }
    errorOutcome = e instanceof StackError ? 'stack-error' : 'error';
    throw e;
  } finally {
    if (stack) await stack.stop();
    rmSync(workdir, { recursive: true, force: true });
    info.endedAt = new Date().toISOString();
    info.outcome = errorOutcome ?? outcome;
    writeRunInfo(runDir, info);
  }
}

function sortKeys(o: MatrixOverrides): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

function describeOverrides(o: MatrixOverrides): string {
  const parts = Object.entries(sortKeys(o)).map(
    ([k, v]) =>
      `--${k} ${Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
  );
  return parts.length === 0 ? 'none' : parts.join(' ');
}

/** A port the matrix fixes must be free before anything starts. */
async function checkFixedPorts(matrix: Matrix): Promise<void> {
  const fixed: Array<[string, number]> = [];
  if (matrix.spec.postgres.port !== undefined) fixed.push(['postgres.port', matrix.spec.postgres.port]);
  matrix.spec.configs.forEach((c, i) => {
    if (c.kind !== 'direct' && c.port !== undefined) fixed.push([`configs[${i}].port`, c.port]);
  });
  for (const [field, port] of fixed) {
    if (!(await isFree(port))) {
      throw new ConfigurationError(
        `${matrix.file}: ${field}: expected a free port on 127.0.0.1, ${port} is already in use`,
      );
    }
  }
}

/** A proxy's `files:` template given by path must be a readable file, before anything starts. */
function checkProxyFiles(matrix: Matrix): void {
  const dir = path.dirname(matrix.file);
  matrix.spec.configs.forEach((c, i) => {
    if (c.kind !== 'proxy') return;
    for (const [name, f] of Object.entries(c.files)) {
      if (!('path' in f)) continue;
      const file = path.resolve(dir, f.path);
      try {
        accessSync(file, constants.R_OK);
      } catch {
        throw new ConfigurationError(
          `${matrix.file}: configs[${i}].files.${name}.path: expected a readable template file relative to the matrix, ${file} is not one`,
        );
      }
    }
  });
}

export class InterruptedError extends Error {
  override name = 'InterruptedError';
}

async function gitShaField(): Promise<{ gitSha?: string }> {
  const sha = await gitSha();
  return sha ? { gitSha: sha } : {};
}
