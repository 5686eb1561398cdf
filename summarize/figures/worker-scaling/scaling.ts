import { fixed, fmtCores, fmtMiB, fmtRatio, fmtTps, isNum } from '../../model/format.js';
import { roleFigures } from '../../model/role-figures.js';
import type { Row } from '../../model/row.js';
import type { Sentence } from '../../tldr/refs.js';

/**
 * Worker scaling (PgBouncer `workers: N`, docs/workers.md): per family of configs (`<name>-w1`,
 * `-w2`, `-w4` from one `workers` list, or a config of its own), workload and concurrency, how
 * throughput and pooler CPU grow with the worker count. Pure: rows and the workers of each config.
 */
export interface ScalingRow {
  family: string;
  config: string;
  workload: string;
  concurrency: number;
  workers: number;
  tps: number;
  tpsPerWorker: number;
  /** Sum of the mean CPU of every PgBouncer process of the config, cores. */
  poolerCpu?: number;
  cpuPerWorker?: number;
  /** The busiest worker's mean CPU, cores. */
  busiestWorkerCpu?: number;
  /** Sum of the mean PSS of every PgBouncer process of the config, bytes. */
  poolerPssBytes?: number;
  /** TPS per pooler core. */
  tpsPerPoolerCore?: number;
  /** TPS against the family's fewest workers at the same workload and concurrency. */
  vsFewest?: number;
  /** Where the rows are in summary.json, and its pooler components, for the TL;DR's references. */
  rowIndex: number;
  busiestIndex?: number;
}

/** `pgbouncer-tx-w2` with workers 2 -> `pgbouncer-tx`; any other config is a family of its own. */
export function familyOf(config: string, workers: number): string {
  const m = /^(.*)-w(\d+)$/.exec(config);
  return m?.[1] && Number(m[2]) === workers ? m[1] : config;
}

/** PgBouncer processes per config, from run.json's effective configs (only pgbouncer kinds). */
export function workersByConfig(configs: ReadonlyArray<Record<string, unknown>>): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of configs) {
    if (c.kind !== 'pgbouncer' || typeof c.name !== 'string') continue;
    out.set(c.name, typeof c.workers === 'number' ? c.workers : 1);
  }
  return out;
}

function poolerFigures(
  r: Row,
): Pick<ScalingRow, 'poolerCpu' | 'busiestWorkerCpu' | 'busiestIndex' | 'poolerPssBytes'> {
  const comps = r.sampling?.components ?? [];
  const sum = roleFigures(r, 'pgbouncer');
  const pssTotal = sum?.pssMeanBytes;
  const total = sum?.cpuCoresMean;
  let busiest: number | undefined;
  let busiestIndex: number | undefined;
  comps.forEach((c, i) => {
    if (c.role !== 'pgbouncer' || !isNum(c.cpuCoresMean)) return;
    if (busiest === undefined || c.cpuCoresMean > busiest) {
      busiest = c.cpuCoresMean;
      busiestIndex = i;
    }
  });
  return {
    ...(pssTotal === undefined ? {} : { poolerPssBytes: pssTotal }),
    ...(total === undefined ? {} : { poolerCpu: total }),
    ...(busiest === undefined ? {} : { busiestWorkerCpu: busiest, busiestIndex }),
  };
}

/** One scaling row per pgbouncer row with completed reps, grouped and ordered by family, then workers. */
export function scalingRows(rows: readonly Row[], workers: ReadonlyMap<string, number>): ScalingRow[] {
  const out: ScalingRow[] = [];
  rows.forEach((r, rowIndex) => {
    const n = workers.get(r.config);
    if (n === undefined || !isNum(r.tps.mean) || r.tps.n === 0) return;
    const p = poolerFigures(r);
    out.push({
      family: familyOf(r.config, n),
      config: r.config,
      workload: r.workload,
      concurrency: r.concurrency,
      workers: n,
      tps: r.tps.mean,
      tpsPerWorker: r.tps.mean / n,
      ...p,
      ...(isNum(p.poolerCpu) ? { cpuPerWorker: p.poolerCpu / n } : {}),
      ...(isNum(p.poolerCpu) && p.poolerCpu > 0 ? { tpsPerPoolerCore: r.tps.mean / p.poolerCpu } : {}),
      rowIndex,
    });
  });
  const key = (s: ScalingRow) => `${s.family}\u0000${s.workload}\u0000${s.concurrency}`;
  for (const s of out) {
    const fewest = out.filter((o) => key(o) === key(s)).sort((a, b) => a.workers - b.workers)[0];
    if (fewest && fewest.workers < s.workers) s.vsFewest = s.tps / fewest.tps;
  }
  return out.sort(
    (a, b) =>
      a.family.localeCompare(b.family) ||
      a.workload.localeCompare(b.workload) ||
      a.concurrency - b.concurrency ||
      a.workers - b.workers,
  );
}

export const SCALING_CAPTION =
  'Throughput and pooler CPU per PgBouncer worker count (mean over completed reps; CPU is the mean of each ' +
  "worker's process tree over the measured window, summed over workers). pgbench, PostgreSQL and every worker " +
  'share the same cores: when the host is saturated, more workers cannot add throughput.';

/** The markdown table of worker scaling; undefined when no config has more than one worker. */
export function scalingTable(s: readonly ScalingRow[]): string | undefined {
  if (!s.some((r) => r.workers > 1)) return undefined;
  const head =
    '| config | workload | clients | workers | TPS | TPS per worker | pooler CPU (cores, all workers) | CPU per worker | busiest worker CPU | TPS per pooler core | TPS vs fewest workers | pooler PSS MiB (all workers) |';
  const lines = [head, `|${' --- |'.repeat(12)}`];
  for (const r of s) {
    lines.push(
      `| ${r.config} | ${r.workload} | ${r.concurrency} | ${r.workers} | ${fmtTps(r.tps)} | ${fmtTps(r.tpsPerWorker)} | ` +
        `${fmtCores(r.poolerCpu)} | ${fmtCores(r.cpuPerWorker)} | ${fmtCores(r.busiestWorkerCpu)} | ` +
        `${fmtTps(r.tpsPerPoolerCore)} | ${r.vsFewest === undefined ? '—' : `${fmtRatio(r.vsFewest)}x`} | ${fmtMiB(r.poolerPssBytes)} |`,
    );
  }
  return lines.join('\n');
}

/**
 * The TL;DR sentence on a single process saturating a core, only when the data shows it: one
 * worker's mean CPU is at least `cores` (near a whole core) and more workers at the same workload
 * and clients gave at least `minGain` times its throughput. Otherwise none.
 */
export function saturationSentence(
  s: readonly ScalingRow[],
  cores: number,
  minGain = 1.1,
): Sentence | undefined {
  const hit = s
    .filter((r) => r.workers === 1 && isNum(r.busiestWorkerCpu) && r.busiestWorkerCpu >= cores)
    .map((one) => {
      const more = s
        .filter(
          (o) =>
            o.family === one.family &&
            o.workload === one.workload &&
            o.concurrency === one.concurrency &&
            o.workers > 1 &&
            isNum(o.vsFewest) &&
            o.vsFewest >= minGain,
        )
        .sort((a, b) => b.tps - a.tps)[0];
      return more ? { one, more } : undefined;
    })
    .find((x) => x !== undefined);
  if (!hit) return undefined;
  const { one, more } = hit;
  const cpu = one.busiestWorkerCpu as number;
  const ratio = more.tps / one.tps;
  const at = `${one.workload} at ${one.concurrency} clients`;
  return {
    kind: 'saturation',
    text:
      `A single PgBouncer process saturates a core: ${one.config} (1 worker) used ${fixed(cpu, 2)} cores for ` +
      `${fmtTps(one.tps)} tps on ${at}, while ${more.workers} workers (${more.config}) reached ${fmtTps(more.tps)} tps (${fmtRatio(ratio)}x).`,
    numbers: [
      {
        pointer: `/rows/${one.rowIndex}/sampling/components/${one.busiestIndex}/cpuCoresMean`,
        value: cpu,
        text: fixed(cpu, 2),
      },
      { pointer: `/rows/${one.rowIndex}/tps/mean`, value: one.tps, text: fmtTps(one.tps) },
      { pointer: `/rows/${more.rowIndex}/tps/mean`, value: more.tps, text: fmtTps(more.tps) },
    ],
  };
}
