import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StackError } from '../errors.js';
import type { Cell } from '../matrix/expand.js';
import type { Matrix } from '../matrix/load.js';
import { cellClients } from '../matrix/mix.js';
import type { ConfigSpec } from '../matrix/schema.js';
import { serverMatrix } from '../matrix/servers.js';
import { writtenDatabases } from '../matrix/workload.js';
import type { CostCellRecord } from '../results/cost-types.js';
import { runPaths } from '../results/paths.js';
import type { CellRecord, RunInfo, RunOutcomeState } from '../results/types.js';
import { appendCell, writeRunInfo } from '../results/write.js';
import { startSampling, workerSampling } from '../sampling/session.js';
import { BENCH_DB } from '../stack/cluster.js';
import { isExternal } from '../stack/external.js';
import { type ClientLimits, clientLimits } from '../stack/limits.js';
import { NOT_SIZED_EXTERNAL, stackSizing } from '../stack/sizing.js';
import type { ConfigPath, Provider, Stack } from '../stack/types.js';
import { cancelCheckHooks } from './cancel-check-hooks.js';
import { type CellHooks, type CellPlan, cellNotRun, runCell } from './cell.js';
import { executeCost } from './cost-execute.js';
import type { CostCell } from './cost-plan.js';
import { POOLER_KINDS } from './event-types.js';
import { recoverAfterEvents } from './events.js';
import { type CellSetup, setUpExternalCell } from './external-cell.js';
import { awaitIsolation, describeIsolation } from './isolation.js';
import { cellLimitGuard } from './many-clients.js';
import { type CellSettings, cellSettings, etaMs, isFinished, switchesConfig } from './plan.js';
import { createTenantDatabases, initData, prepareCell, tidyServer } from './prepare.js';
import { profileHooks } from './profile-hooks.js';
import { continuesSegment, segmentPrepared } from './segment.js';
import {
  type Server,
  type Servers,
  serverOf,
  serversRecord,
  serverVersions,
  startServers,
  stopServers,
} from './servers.js';
import { tlsHooks } from './tls-hooks.js';
import type { RunEvents, RunOptions, RunOutcome } from './types.js';

/** Everything the loop needs, decided before anything starts. */
export interface Execution {
  matrix: Matrix;
  runDir: string;
  info: RunInfo;
  provider: Provider;
  /** The cells to run now, in order. */
  todo: Cell[];
  /** Records of earlier sessions of a resumed run. */
  previous: CellRecord[];
  /** The cost cells to run after the throughput cells (src/runner/cost-plan.ts), in order. */
  cost: CostCell[];
  opts: Pick<RunOptions, 'failFast' | 'noSampling' | 'signal'> & { events: RunEvents };
}

class InterruptedError extends Error {
  override name = 'InterruptedError';
}

/** What the loop carries from one cell to the next. */
interface LoopState {
  /** The run's PostgreSQL servers, each a stack (src/runner/servers.ts). */
  servers: Server[];
  workdir: string;
  records: CellRecord[];
  cellMs: number[];
  /** The config whose path is up. */
  up?: string;
  /** Servers whose last cell wrote, and the databases it wrote to (their next cell vacuums them first). */
  dirty: Map<Stack, readonly string[]>;
  /** The previous cell's setup: a profile segment that continues it reuses it. */
  lastSetup?: CellSetup;
  /** A config whose path an event signalled: it restarts before its next cell. */
  signalled?: string;
  outcome: RunOutcome;
  costRecords: CostCellRecord[];
}

/** What the loop recorded: throughput cells in cells.jsonl, cost cells in cost.jsonl. */
export interface Executed {
  records: CellRecord[];
  costRecords: CostCellRecord[];
  outcome: RunOutcome;
}

/**
 * Starts PostgreSQL, loads the pgbench data, runs the cells one by one (each config's pooler or
 * proxy up only around its block of cells), and stops everything, whatever happens. run.json's
 * `outcome` and `endedAt` are written last.
 */
export async function execute(x: Execution): Promise<Executed> {
  const { runDir, info, opts } = x;
  const { events, signal } = opts;
  if (x.todo.length === 0 && x.cost.length === 0) {
    events.log('nothing to do: every cell of this run has finished');
    const outcome = x.previous.some((c) => c.state !== 'completed') ? 'failed' : 'completed';
    finish(runDir, info, outcome);
    return { records: [], costRecords: [], outcome };
  }
  const workdir = mkdtempSync(path.join(os.tmpdir(), `bench-${info.runId}-`));
  const records: CellRecord[] = [];
  const servers: Servers = { list: [], dirs: [] };
  let end: RunOutcomeState = 'completed';
  try {
    await startStacks(x, workdir, servers);
    const state: LoopState = {
      servers: servers.list,
      workdir,
      records,
      cellMs: [],
      dirty: new Map(servers.list.map((v) => [v.stack, [BENCH_DB]])),
      outcome: 'completed',
      costRecords: [],
    };
    for (const [i, cell] of x.todo.entries()) {
      if (signal?.aborted) throw new InterruptedError();
      const rec = await runOne(x, state, cell, i);
      if (rec.state === 'completed') continue;
      state.outcome = 'failed';
      if (!serverOf(state.servers, cell.config).stack.postgresComponent.alive()) {
        throw new StackError(
          `PostgreSQL died during cell ${cell.id}; every finished cell is in ${runPaths(runDir).cellsJsonl}`,
        );
      }
      if (opts.failFast) {
        events.log(`--fail-fast: stopping after failed cell ${cell.id}`);
        break;
      }
    }
    if (!(opts.failFast && state.outcome === 'failed')) await costPhase(x, state);
    if (x.previous.some((c) => isFinished(c.state) && c.state !== 'completed')) state.outcome = 'failed';
    end = state.outcome;
    return { records, costRecords: state.costRecords, outcome: state.outcome };
  } catch (e) {
    if (e instanceof InterruptedError || signal?.aborted) {
      end = 'interrupted';
      return { records, costRecords: [], outcome: 'interrupted' };
    }
    end = e instanceof StackError ? 'stack-error' : 'error';
    throw e;
  } finally {
    await closeRun(servers, workdir, () => finish(runDir, info, end));
  }
}

/**
 * Stops every server and removes the scratch directory, and run.json gets its outcome, even when a
 * server fails to stop; that failure is thrown afterwards.
 */
async function closeRun(servers: Servers, workdir: string, record: () => void): Promise<void> {
  try {
    await stopServers(servers);
  } finally {
    rmSync(workdir, { recursive: true, force: true });
    record();
  }
}

/**
 * The cost cells, after the throughput cells (or alone, `--cost-only`): the last throughput config
 * stops first, so each cost cell's config is the only one up, started fresh under counting.
 */
async function costPhase(x: Execution, s: LoopState): Promise<void> {
  if (x.cost.length === 0) return;
  if (s.up !== undefined) await serverOf(s.servers, s.up).stack.stopPath(s.up);
  s.up = undefined;
  const { signal } = x.opts;
  // One server: several are refused before anything starts when a matrix has cost cells.
  const [only] = s.servers;
  if (!only) throw new Error('internal: no PostgreSQL server');
  const ctx = {
    matrix: x.matrix,
    runDir: x.runDir,
    stack: only.stack,
    scratch: s.workdir,
    ...(signal ? { signal } : {}),
  };
  const done = await executeCost(ctx, x.cost, x.opts.events, x.opts.failFast);
  s.costRecords = done.records;
  if (done.interrupted) throw new InterruptedError();
  if (done.records.some((r) => r.state !== 'completed')) s.outcome = 'failed';
}

/** A stack bench started: drain, tidy, checkpoint, then wait for other configs' backends to go (or refuse). */
async function setUpLocalCell(
  stack: Stack,
  cfgPath: ConfigPath,
  role: string,
  tidy: { vacuum: boolean; settleMs: number },
  isolationWait: number,
  signal: AbortSignal | undefined,
): Promise<CellSetup> {
  const prepared = await prepareCell(stack, cfgPath, tidy);
  const isolation = await awaitIsolation(stack.postgres, role, isolationWait, signal);
  prepared.push(describeIsolation(isolation.count, isolation.waitedMs));
  const { foreign, foreignTotal } = isolation.count;
  return {
    prepared,
    ...(foreignTotal > 0
      ? {
          refusal:
            `isolation: ${foreignTotal} client backends of other configs were still connected ` +
            `after ${isolation.waitedMs} ms (${Object.keys(foreign).join(', ')}); the cell did not run`,
        }
      : {}),
    postgres: stack.postgres,
    database: cfgPath.endpoint.database,
    components: [stack.postgresComponent, ...cfgPath.components],
  };
}

/**
 * The cell prepared and isolated, or, for a profile segment that continues the previous one, run at
 * once on the previous segment's setup (src/runner/segment.ts): no drain, checkpoint or settle.
 */
async function cellSetup(
  x: Execution,
  s: LoopState,
  cfgPath: ConfigPath,
  role: string,
  seg: { index: number; count: number } | undefined,
  i: number,
): Promise<CellSetup> {
  const { stack } = serverOf(s.servers, cfgPath.config);
  const last = s.lastSetup;
  if (seg !== undefined && last !== undefined && !last.refusal && continuesSegment(x.matrix, x.todo, i)) {
    const { refusal: _none, ...kept } = last;
    return {
      ...kept,
      prepared: [segmentPrepared(seg.index, seg.count)],
      ...(isExternal(stack) ? {} : { components: [stack.postgresComponent, ...cfgPath.components] }),
    };
  }
  const written = s.dirty.get(stack);
  const tidy = {
    vacuum: written !== undefined,
    settleMs: x.matrix.spec.settle,
    ...(written ? { databases: written } : {}),
  };
  return isExternal(stack)
    ? await setUpExternalCell(stack, cfgPath, tidy)
    : await setUpLocalCell(stack, cfgPath, role, tidy, x.matrix.spec.isolation_wait, x.opts.signal);
}

function finish(runDir: string, info: RunInfo, outcome: RunOutcomeState): void {
  info.endedAt = new Date().toISOString();
  info.outcome = outcome;
  writeRunInfo(runDir, info);
}

/**
 * Each PostgreSQL server up with its pgbench data loaded (src/runner/servers.ts); run.json gets the
 * versions and timings after each.
 */
async function startStacks(x: Execution, workdir: string, servers: Servers): Promise<void> {
  const { matrix, runDir, info, opts } = x;
  const t0 = Date.now();
  const initMs: number[] = [];
  // The servers' start-up alone (their data loads are initMs).
  let startupMs = 0;
  let tenantsMs = 0;
  const record = (data?: Record<string, unknown>) => {
    info.versions = serverVersions(
      servers.list.map((s) => ({ configs: s.configs, versions: s.stack.versions })),
    );
    const [first] = servers.list;
    info.stack = {
      ...(servers.list.length === 1 && first
        ? first.stack.details
        : {
            servers: serversRecord(servers.list, (s) =>
              stackSizing(serverMatrix(matrix, s).spec, os.totalmem()),
            ),
          }),
      // An external stack's server and poolers run with their own settings: nothing here sized them.
      sizing:
        first?.stack.provider === 'external' ? NOT_SIZED_EXTERNAL : stackSizing(matrix.spec, os.totalmem()),
      startupMs,
      ...(initMs.length > 0 ? { initMs: initMs.reduce((p, q) => p + q, 0) } : {}),
      ...(matrix.spec.tenants ? { tenantsMs } : {}),
      ...(data ? { data } : {}),
    };
    writeRunInfo(runDir, info);
  };
  const startOpts = { log: opts.events.log, ...(opts.signal ? { signal: opts.signal } : {}) };
  const target = { matrix, provider: x.provider, workdir, runId: info.runId };
  await startServers(target, startOpts, servers, async ({ stack }, dir) => {
    startupMs = Date.now() - t0 - initMs.reduce((p, q) => p + q, 0);
    record();
    if (opts.signal?.aborted) throw new InterruptedError();
    if (stack.loadData) {
      // An external stack: its provider decided, with the matrix's init and the tables it found.
      record(await stack.loadData(dir, opts.signal));
      return;
    }
    const { scale } = matrix.spec;
    opts.events.log(`initializing pgbench data, scale ${scale}`);
    initMs.push(await initData(stack, scale, dir, opts.signal));
    opts.events.log(`pgbench -i -s ${scale} took ${((initMs.at(-1) ?? 0) / 1000).toFixed(1)} s`);
    const { tenants } = matrix.spec;
    if (tenants) {
      tenantsMs += await createTenantDatabases(stack, tenants);
      opts.events.log(
        `${tenants.databases} tenant databases copied from bench in ${(tenantsMs / 1000).toFixed(1)} s`,
      );
    }
    record();
  });
}

/** The `prepared` line of a cell whose run left a written server for another one. */
const LEFT_SERVER_TIDIED = 'vacuum and checkpoint on the PostgreSQL server the run left';

/**
 * The previous config's path stops. When the next cell runs on another server and the one left
 * was written, it is vacuumed and checkpointed now, so its autovacuum and checkpointer have nothing
 * to do while the other server's cells run.
 */
async function leaveConfig(s: LoopState, config: string, next: Stack): Promise<string | undefined> {
  const { stack } = serverOf(s.servers, config);
  await stack.stopPath(config);
  if (stack === next || !s.dirty.has(stack)) return undefined;
  await tidyServer(stack, s.dirty.get(stack));
  s.dirty.delete(stack);
  return LEFT_SERVER_TIDIED;
}

/** run.json's versions, rewritten when a component that just started added one (a pooler image's). */
function recordVersions(runDir: string, info: RunInfo, servers: readonly Server[]): void {
  const versions = serverVersions(servers.map((v) => ({ configs: v.configs, versions: v.stack.versions })));
  if (JSON.stringify(versions) === JSON.stringify(info.versions)) return;
  info.versions = versions;
  writeRunInfo(runDir, info);
}

/** The limits the cell meets, for the cell's clients (a mix's: every group's, src/matrix/mix.ts). */
function limitGuard(
  x: Execution,
  stack: Stack,
  cell: Cell,
  settings: CellSettings,
  cfgPath: ConfigPath,
  limits: ClientLimits,
): ReturnType<typeof cellLimitGuard> {
  const clients = { config: cell.config, concurrency: cellClients(settings.workload, cell.concurrency) };
  return cellLimitGuard(x.matrix.spec, clients, cfgPath.components, limits, os.totalmem(), stack.provider);
}

/** The hooks of one cell: progress, samplers, TLS observation, profiling, the interrupt. */
function cellHooks(
  x: Execution,
  stack: Stack,
  cell: Cell,
  sampled: ConfigPath,
  setup: CellSetup,
  role: string,
  sampling: CellSettings['sampling'],
  cellDir: string,
): CellHooks {
  const { matrix, opts } = x;
  const { events, signal } = opts;
  return {
    log: events.log,
    onProgress: (tps, t) => events.cellProgress?.(cell, tps, t),
    ...(sampling
      ? {
          startSampling: () =>
            startSampling({
              ...(setup.postgres ? { postgres: setup.postgres } : {}),
              database: setup.database,
              role,
              ...sampling,
              ...(sampled.pgbouncerAdmin ? { pgbouncerAdmin: sampled.pgbouncerAdmin } : {}),
              ...(sampled.pgbouncerWorkers ? workerSampling(sampled.pgbouncerWorkers) : {}),
              components: setup.components,
              cellDir,
            }),
        }
      : {}),
    ...tlsHooks(matrix.spec.configs, cell.config, role, stack.postgres, sampled, cell.concurrency),
    ...cancelCheckHooks(matrix.spec.configs, cell.config, sampled.endpoint, stack.postgres),
    ...profileHooks(
      matrix.spec.configs.find((c) => c.name === cell.config),
      sampled,
      cellDir,
    ),
    ...(signal ? { signal } : {}),
  };
}

/**
 * After a cell whose events fired: a pooler an event signalled, paused or reconfigured restarts
 * before its next cell; PostgreSQL restarted or failed over is made healthy now (src/runner/events.ts),
 * or the run stops with a stack error.
 */
async function afterEvents(
  stack: Stack,
  s: LoopState,
  config: ConfigSpec | undefined,
  rec: CellRecord,
  log: (msg: string) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const fired = (rec.events ?? []).filter((e) => e.firedAt !== undefined);
  if (fired.some((e) => POOLER_KINDS.has(e.kind ?? 'signal'))) s.signalled = rec.config;
  if (!config || fired.length === 0) return;
  // Interrupted: the stack is torn down next, recovering it (a restart, a new standby) would only delay that.
  if (signal?.aborted) return;
  try {
    await recoverAfterEvents(fired, { stack, config, log });
  } catch (e) {
    throw new StackError(
      `the stack did not recover after the events of cell ${rec.id}: ${(e as Error).message}`,
    );
  }
}

/** One cell: its config's path up (alone), the cell prepared and isolated, run, recorded. */
async function runOne(x: Execution, s: LoopState, cell: Cell, i: number): Promise<CellRecord> {
  const { matrix, runDir, info, todo, opts } = x;
  const { events } = opts;
  const { stack } = serverOf(s.servers, cell.config);
  const limits = clientLimits();
  const settings = cellSettings(matrix, cell, {
    cores: os.availableParallelism(),
    sampling: !opts.noSampling,
    nofileSoft: limits.nofile?.soft,
  });
  const role = stack.roles.get(cell.config);
  if (!role) throw new Error(`internal: config ${cell.config} has no role`);
  const cellStart = Date.now();
  events.cellStart?.(
    cell,
    i + 1,
    todo.length,
    etaMs(s.cellMs, todo.length - i),
    Math.max(1, Math.round(settings.durationMs / 1000)),
  );
  if (!stack.postgresComponent.alive()) {
    throw new StackError(`PostgreSQL died (${stack.postgresComponent.logTail(3)}); stopping the run`);
  }
  // One path up at a time: the previous config's pooler or proxy stops (its server connections
  // with it) before this config's starts, so every backend during the cell is this config's.
  const left = switchesConfig(todo, i) && s.up !== undefined ? await leaveConfig(s, s.up, stack) : undefined;
  if (switchesConfig(todo, i)) s.up = undefined;
  let cfgPath = await stack.startPath(cell.config);
  s.up = cell.config;
  recordVersions(runDir, info, s.servers);
  if (cfgPath.components.some((c) => !c.alive()) || s.signalled === cell.config) {
    events.log(
      `restarting ${cell.config}: ${s.signalled === cell.config ? 'an event signalled it' : 'a component had died'}`,
    );
    cfgPath = await stack.restartPath(cell.config);
  }
  s.signalled = undefined;
  const cellDir = runPaths(runDir).cellDir(cell.id);
  rmSync(cellDir, { recursive: true, force: true });
  mkdirSync(cellDir, { recursive: true });
  const setup = await cellSetup(x, s, cfgPath, role, settings.workload.load?.segment, i);
  s.lastSetup = setup;
  const written = writtenDatabases(settings.workload, BENCH_DB);
  if (written.length > 0) s.dirty.set(stack, written);
  else s.dirty.delete(stack);
  const { sampling, ...rest } = settings;
  const guard = limitGuard(x, stack, cell, settings, cfgPath, limits);
  const prepared = [...(left ? [left] : []), ...setup.prepared, ...(guard.line ? [guard.line] : [])];
  const config = matrix.spec.configs.find((c) => c.name === cell.config);
  const plan: CellPlan = {
    ...rest,
    cell,
    path: cfgPath,
    cellDir,
    prepared,
    limitContext: guard.context,
    ...(config ? { config } : {}),
  };
  const hooks = cellHooks(x, stack, cell, cfgPath, setup, role, sampling, cellDir);
  const refusal = setup.refusal ?? guard.refuse;
  const rec = refusal ? cellNotRun(plan, refusal) : await runCell(stack, plan, hooks);
  appendCell(runDir, rec);
  await afterEvents(stack, s, config, rec, events.log, x.opts.signal);
  s.records.push(rec);
  s.cellMs.push(Date.now() - cellStart);
  events.cellEnd?.(cell, rec, i + 1, todo.length);
  if (rec.state === 'interrupted') throw new InterruptedError();
  return rec;
}
