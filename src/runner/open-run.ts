import { accessSync, constants, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigurationError } from '../errors.js';
import { loadMatrix, type Matrix, type MatrixOverrides } from '../matrix/load.js';
import { cellClients } from '../matrix/mix.js';
import { ensureResultsDir } from '../results/dir.js';
import { readRun } from '../results/read.js';
import { type CellRecord, RESULTS_SCHEMA, type RunInfo } from '../results/types.js';
import { repairCellsJsonl } from '../results/write.js';
import { BENCH_DB } from '../stack/cluster.js';
import { topologiesRecord } from '../stack/group-pools.js';
import { checkClientLimits, clientLimits } from '../stack/limits.js';
import { isFree } from '../stack/ports.js';
import { gitSha, hostInfo, makeRunId } from './host.js';
import { checkMixes } from './mix-preflight.js';
import type { ConfigOrder } from './plan.js';
import { checkRoles } from './role-preflight.js';
import { TOOL_VERSION } from './version.js';

/** A run directory to write into: a new one, or the one `--resume` continues. */
export interface OpenedRun {
  matrix: Matrix;
  runDir: string;
  /** Cell records of earlier sessions (empty for a new run). */
  previous: CellRecord[];
  /** run.json of the run being resumed. */
  resumed?: RunInfo;
}

export interface OpenOptions {
  matrixFile: string;
  overrides?: MatrixOverrides;
  resultsDir?: string;
  resume?: string;
  allowChangedMatrix?: boolean;
  log(msg: string): void;
}

/**
 * Loads the matrix and picks the run directory. A resumed run keeps its directory, its overrides
 * and its records; a new one gets a fresh `<name>-<time>` directory name (created later, once the
 * provider is chosen, so a bad flag leaves nothing behind).
 */
export function openRun(o: OpenOptions): OpenedRun {
  const matrix = loadMatrix(o.matrixFile, o.overrides);
  if (!o.resume) {
    const resultsDir = ensureResultsDir(o.resultsDir ?? 'results');
    const name = matrix.spec.name ?? path.basename(o.matrixFile).replace(/\.ya?ml$/, '');
    let runId = makeRunId(name);
    for (let i = 2; existsSync(path.join(resultsDir, runId)); i++) runId = `${makeRunId(name)}-${i}`;
    return { matrix, runDir: path.join(resultsDir, runId), previous: [] };
  }
  const prev = readRun(o.resume);
  if (prev.run.matrix.hash !== matrix.hash && !o.allowChangedMatrix) {
    throw new ConfigurationError(
      `${o.matrixFile}: the matrix changed since run ${prev.run.runId} started (sha256 ${prev.run.matrix.hash.slice(0, 12)} -> ${matrix.hash.slice(0, 12)}); pass --allow-changed-matrix to resume anyway`,
    );
  }
  // Resume with the overrides the run started with, so the cell set is the same; different
  // flags now would mix two experiments in one run directory.
  const saved = prev.run.effective.overrides ?? {};
  const given = o.overrides ?? {};
  if (Object.keys(given).length > 0 && JSON.stringify(sortKeys(given)) !== JSON.stringify(sortKeys(saved))) {
    throw new ConfigurationError(
      `--resume ${o.resume}: expected no override flags or the ones the run started with (${describeOverrides(saved)}), got ${describeOverrides(given)}`,
    );
  }
  for (const w of prev.warnings) o.log(`warning: ${w}`);
  const repaired = repairCellsJsonl(prev.dir);
  if (repaired) o.log(repaired);
  return {
    matrix: loadMatrix(o.matrixFile, saved),
    runDir: prev.dir,
    previous: prev.cells,
    resumed: prev.run,
  };
}

function sortKeys(o: MatrixOverrides): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}

/** run.json's `topologies`, when a config has a pool per group or a PgBouncer per group. */
function topologies(matrix: Matrix): Pick<RunInfo, 'topologies'> {
  const t = topologiesRecord(matrix.spec, BENCH_DB);
  return Object.keys(t).length > 0 ? { topologies: t } : {};
}

function describeOverrides(o: MatrixOverrides): string {
  const parts = Object.entries(sortKeys(o)).map(
    ([k, v]) =>
      `--${k} ${Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v)}`,
  );
  return parts.length === 0 ? 'none' : parts.join(' ');
}

/** What this machine must allow before anything starts: client limits, fixed ports, template files. */
export async function preflight(matrix: Matrix): Promise<void> {
  const limits = clientLimits();
  checkClientLimits(matrix.file, matrix.spec.concurrency, limits);
  matrix.spec.configs.forEach((c, i) => {
    if (c.concurrency) checkClientLimits(matrix.file, c.concurrency, limits, `configs[${i}].concurrency`);
  });
  checkMixes(matrix, os.totalmem());
  checkRoles(matrix);
  // A mix's cell holds all its groups' clients: the machine must allow that many at each factor.
  matrix.workloads.forEach((w) => {
    const i = matrix.spec.workloads.findIndex((x) => typeof x !== 'string' && x.name === w.name);
    if (w.mix)
      checkClientLimits(
        matrix.file,
        matrix.spec.concurrency.map((n) => cellClients(w, n)),
        limits,
        `workloads[${i}].mix: its clients at concurrency`,
      );
  });
  await checkFixedPorts(matrix);
  checkProxyFiles(matrix);
}

/** A port the matrix fixes must be free before anything starts. */
async function checkFixedPorts(matrix: Matrix): Promise<void> {
  const fixed: Array<[string, number]> = [];
  if (matrix.spec.postgres.port !== undefined) fixed.push(['postgres.port', matrix.spec.postgres.port]);
  matrix.spec.configs.forEach((c, i) => {
    if ((c.kind === 'pgbouncer' || c.kind === 'proxy') && c.port !== undefined)
      fixed.push([`configs[${i}].port`, c.port]);
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

/** The run.json of a new run, before anything started (versions and stack facts come later). */
export async function newRunInfo(a: {
  matrix: Matrix;
  runId: string;
  command: string[];
  overrides: MatrixOverrides;
  provider: { name: RunInfo['provider']; reason: string };
  cellsPlanned: number;
  order: ConfigOrder;
  shard?: RunInfo['shard'];
}): Promise<RunInfo> {
  const { matrix } = a;
  const sha = await gitSha();
  return {
    schema: RESULTS_SCHEMA,
    tool: { name: 'bench', version: TOOL_VERSION, ...(sha ? { gitSha: sha } : {}) },
    runId: a.runId,
    command: a.command,
    matrix: {
      file: path.relative(process.cwd(), matrix.file) || matrix.file,
      hash: matrix.hash,
      text: matrix.text,
      ...(matrix.spec.name ? { name: matrix.spec.name } : {}),
    },
    effective: { ...matrix.spec, overrides: a.overrides },
    ...topologies(matrix),
    provider: a.provider.name,
    providerReason: a.provider.reason,
    versions: {},
    host: hostInfo(),
    startedAt: new Date().toISOString(),
    cellsPlanned: a.cellsPlanned,
    order: a.order,
    ...(a.shard ? { shard: a.shard } : {}),
  };
}
