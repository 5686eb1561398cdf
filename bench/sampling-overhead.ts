/**
 * Does sampling distort what it measures? On one native stack, two methods:
 *  - runs: the same pgbench cell with sampling off and on, interleaved (off,on then on,off), the
 *    TPS ratio on/off per pair and overall;
 *  - seconds: one long run, sampling every 2 s, each second holding a tick against its tick-free
 *    neighbours (see secondsMethod; far less sensitive to other load on the machine).
 * Also reports the harness's CPU per tick and times the /proc reads the process sampler makes
 * (stat vs smaps_rollup) on PostgreSQL's tree.
 *
 * Build and run (see docs/sampling.md for recorded figures):
 *   npx tsc --outDir .tmp/bench --rootDir . --module nodenext --moduleResolution nodenext \
 *     --target es2023 --strict --skipLibCheck --types node bench/sampling-overhead.ts
 *   node .tmp/bench/bench/sampling-overhead.js [--pairs 4] [--seconds 5] [--clients 8] \
 *     [--interval 1000] [--pss-interval 10000]
 *     [--method runs|seconds|both] [--long-run 60] [--config pgbouncer|direct] [--scale 10]
 */
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { parseMatrix } from '../src/matrix/load.js';
import { initArgv, pgbenchEnv } from '../src/pgbench/argv.js';
import { DEFAULT_PSS_INTERVAL_MS, startSampling } from '../src/sampling/session.js';
import { nativeProvider } from '../src/stack/native.js';
import type { ConfigPath, Stack } from '../src/stack/types.js';

const { values: args } = parseArgs({
  options: {
    pairs: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '5' },
    clients: { type: 'string', default: '8' },
    interval: { type: 'string', default: '1000' },
    'pss-interval': { type: 'string', default: String(DEFAULT_PSS_INTERVAL_MS) },
    config: { type: 'string', default: 'pgbouncer' },
    scale: { type: 'string', default: '10' },
    method: { type: 'string', default: 'both' },
    'long-run': { type: 'string', default: '60' },
  },
});
const pairs = Number(args.pairs);
const seconds = Number(args.seconds);
const clients = Number(args.clients);
const intervalMs = Number(args.interval);
const pssIntervalMs = Number(args['pss-interval']);
const configName = args.config === 'direct' ? 'direct' : 'pgb';
const scale = Number(args.scale);

const matrixText = `
name: sampling-overhead
duration: ${seconds}s
warmup: 0s
reps: 1
scale: ${scale}
concurrency: [${clients}]
baseline: direct
configs:
  - name: direct
    kind: direct
  - name: pgb
    kind: pgbouncer
    pool_mode: transaction
    default_pool_size: 20
workloads: [readonly]
`;

async function tps(stack: Stack, p: ConfigPath, cwd: string): Promise<number> {
  const ep = p.endpoint;
  const r = await stack.pgbench.run({
    args: ['-h', ep.host, '-p', String(ep.port), '-U', ep.user, '-S', '-n'].concat([
      '-c',
      String(clients),
      '-j',
      '2',
      '-T',
      String(seconds),
      ep.database,
    ]),
    cwd,
    env: pgbenchEnv(ep),
    timeoutMs: (seconds + 60) * 1000,
  });
  const m = /^tps = ([\d.]+)/m.exec(r.stdout);
  if (r.exitCode !== 0 || !m?.[1])
    throw new Error(`pgbench failed (exit ${r.exitCode}): ${r.stderr.slice(-500)}`);
  return Number(m[1]);
}

/**
 * CPU microseconds (user + system of this process, read as the sampler reads: synchronously, so the kernel's work is counted and waiting for
 * a busy CPU is not) to read one file of one process in PostgreSQL's tree, averaged over rounds.
 */
async function readCost(rootPid: number, rounds: number): Promise<Record<string, number>> {
  const kids = (await readFile(`/proc/${rootPid}/task/${rootPid}/children`, 'utf8')).trim().split(/\s+/);
  const pids = [String(rootPid), ...kids.filter(Boolean)];
  const out: Record<string, number> = { processes: pids.length };
  for (const file of ['stat', 'smaps_rollup']) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < rounds; i++) {
      for (const pid of pids) {
        try {
          readFileSync(`/proc/${pid}/${file}`, 'utf8');
        } catch {
          // exited meanwhile
        }
      }
    }
    const c = process.cpuUsage(c0);
    out[`${file}Us`] = Math.round((c.user + c.system) / (rounds * pids.length));
  }
  return out;
}

/** CPU ms used so far by the sampler's own PostgreSQL backend(s) (application_name bench-sampler). */
async function samplerBackendCpuMs(stack: Stack): Promise<number> {
  const c = new pg.Client({ ...stack.postgres, ssl: false, application_name: 'bench-overhead' });
  await c.connect();
  try {
    const r = await c.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE application_name = 'bench-sampler'",
    );
    let ticks = 0;
    for (const { pid } of r.rows) {
      const f = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
      ticks += Number(f[11]) + Number(f[12]);
    }
    return (ticks * 1000) / 100; // CLK_TCK 100
  } finally {
    await c.end();
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Mean ± half-width of the two-sided 95% confidence interval (Student t, normal beyond 30). */
function ci95(xs: number[]): string {
  const m = mean(xs);
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
  const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16];
  const t = T95[xs.length - 2] ?? (xs.length <= 30 ? 2.09 : 1.96);
  return `${m.toFixed(4)} ± ${((t * sd) / Math.sqrt(xs.length)).toFixed(4)} (95% CI, n=${xs.length})`;
}

/**
 * Method "seconds": one long pgbench run with per-second progress (epoch timestamps) while sampling
 * every 2 s, so seconds with a tick alternate with seconds without. Each second that holds a tick
 * is compared with the mean of its two tick-free neighbours: background load on a shared machine
 * changes slowly next to a second, so this resolves a per-tick cost that separate runs cannot.
 * At a 1 s interval every second holds a tick, so the ratio is the overhead at 1 s. PSS is read
 * every 10th tick, as at 1 s with the default pssIntervalMs.
 */
async function secondsMethod(stack: Stack, p: ConfigPath, dir: string, runS: number): Promise<void> {
  const ep = p.endpoint;
  const progress: Array<{ end: number; tps: number }> = [];
  const session = await startSampling({
    postgres: stack.postgres,
    database: stack.postgres.database,
    ...(p.pgbouncerAdmin ? { pgbouncerAdmin: p.pgbouncerAdmin } : {}),
    components: [stack.postgresComponent, ...p.components],
    intervalMs: 2000,
    clients,
    cellDir: path.join(dir, 'cell-seconds'),
    pssIntervalMs: pssIntervalMs * 2,
  });
  const r = await stack.pgbench.run({
    args: [
      '-h',
      ep.host,
      '-p',
      String(ep.port),
      '-U',
      ep.user,
      '-S',
      '-n',
      '-P',
      '1',
      '--progress-timestamp',
    ].concat(['-c', String(clients), '-j', '2', '-T', String(runS), ep.database]),
    cwd: dir,
    env: pgbenchEnv(ep),
    timeoutMs: (runS + 60) * 1000,
    onStderr: (line) => {
      const m = /^progress: ([\d.]+) s, ([\d.]+) tps/.exec(line);
      if (m) progress.push({ end: Number(m[1]) * 1000, tps: Number(m[2]) });
    },
  });
  await session.stop();
  if (r.exitCode !== 0) throw new Error(`pgbench failed (exit ${r.exitCode}): ${r.stderr.slice(-500)}`);
  const ticks = (await readFile(session.file, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { t: number; kind: string })
    .filter((l) => l.kind === 'pg_activity')
    .map((l) => l.t);
  const hasTick = (end: number) => ticks.some((t) => t >= end - 1000 && t < end);
  const ratios: number[] = [];
  // Skip the first and last seconds (connection set-up, shutdown).
  for (let i = 2; i < progress.length - 2; i++) {
    const [a, b, c] = [progress[i - 1], progress[i], progress[i + 1]];
    if (!a || !b || !c || !hasTick(b.end) || hasTick(a.end) || hasTick(c.end)) continue;
    ratios.push(b.tps / ((a.tps + c.tps) / 2));
  }
  console.log(`method seconds: ${runS} s run, sampling every 2000 ms`);
  console.log(`  second with a tick / mean of its tick-free neighbours: ${ci95(ratios)}`);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-sampling-overhead-'));
  await chmod(dir, 0o755);
  const matrix = parseMatrix(matrixText, path.join(dir, 'matrix.yaml'));
  let stack: Stack | undefined;
  // Ctrl-C must not leave PostgreSQL and PgBouncer running.
  process.once('SIGINT', () => {
    void (stack?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
  try {
    stack = await nativeProvider.start({ matrix, workdir: path.join(dir, 'stack'), log: () => {} });
    const init = await stack.pgbench.run({
      args: initArgv(stack.postgres, scale),
      cwd: dir,
      env: pgbenchEnv(stack.postgres),
      timeoutMs: 600_000,
    });
    if (init.exitCode !== 0) throw new Error(`pgbench -i failed: ${init.stderr.slice(-500)}`);
    const p = await stack.startPath(configName);
    if (args.method === 'seconds' || args.method === 'both') {
      await tps(stack, p, dir); // warm the caches and the pool; not counted
      await secondsMethod(stack, p, dir, Number(args['long-run']));
    }
    if (args.method === 'seconds') return;
    console.log(
      `method runs: readonly -S -c ${clients} -j 2 -T ${seconds} via ${configName}, scale ${scale}; ` +
        `sampling every ${intervalMs} ms, PSS every ${pssIntervalMs} ms; ${pairs} pairs, order off/on then on/off`,
    );
    if (args.method === 'runs') await tps(stack, p, dir); // warm-up, not counted

    const samplerCost: Array<{ nodeMsPerTick: number; backendMsPerTick: number }> = [];
    // The harness's own CPU during unsampled runs (spawning pgbench, reading its output), per second.
    const idleNodeMsPerS: number[] = [];
    const ratios: number[] = [];
    const offs: number[] = [];
    const ons: number[] = [];
    for (let i = 0; i < pairs; i++) {
      // ABBA: alternating which run comes first cancels a linear drift (page cache, CPU boost).
      const order = i % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
      const got: Record<string, number> = {};
      for (const mode of order) {
        if (mode === 'off') {
          const c0 = process.cpuUsage();
          got.off = await tps(stack, p, dir);
          const c = process.cpuUsage(c0);
          idleNodeMsPerS.push((c.user + c.system) / 1000 / seconds);
          continue;
        }
        const session = await startSampling({
          postgres: stack.postgres,
          database: stack.postgres.database,
          ...(p.pgbouncerAdmin ? { pgbouncerAdmin: p.pgbouncerAdmin } : {}),
          components: [stack.postgresComponent, ...p.components],
          intervalMs,
          clients,
          cellDir: path.join(dir, `cell-${i}`),
          pssIntervalMs,
        });
        const c0 = process.cpuUsage();
        got.on = await tps(stack, p, dir);
        const nodeCpu = process.cpuUsage(c0);
        const backendMs = await samplerBackendCpuMs(stack);
        const summary = await session.stop();
        const perTick = (nodeCpu.user + nodeCpu.system) / 1000 / Math.max(1, summary.ticks);
        samplerCost.push({
          nodeMsPerTick: perTick,
          backendMsPerTick: backendMs / Math.max(1, summary.ticks),
        });
        if (summary.gaps > 0)
          console.log(`  pair ${i + 1}: ${summary.gaps} gap(s): ${summary.warnings.join('; ')}`);
      }
      const off = got.off ?? Number.NaN;
      const on = got.on ?? Number.NaN;
      offs.push(off);
      ons.push(on);
      ratios.push(on / off);
      console.log(
        `  pair ${i + 1} (${order.join(',')}): off ${off.toFixed(0)} tps, on ${on.toFixed(0)} tps, on/off ${(on / off).toFixed(4)}`,
      );
    }
    console.log(
      `mean off ${mean(offs).toFixed(0)} tps, mean on ${mean(ons).toFixed(0)} tps; ` +
        `on/off mean of pairs ${mean(ratios).toFixed(4)}, ratio of means ${(mean(ons) / mean(offs)).toFixed(4)}`,
    );
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
    const sd = Math.sqrt(
      ratios.reduce((a, r) => a + (r - mean(ratios)) ** 2, 0) / Math.max(1, ratios.length - 1),
    );
    // Two-sided 95% Student t for n-1 degrees of freedom (n <= 10 here; 1.96 beyond).
    const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262];
    const half = ((T95[ratios.length - 2] ?? 1.96) * sd) / Math.sqrt(ratios.length);
    console.log(
      `on/off median of pairs ${median(ratios).toFixed(4)}; mean ${mean(ratios).toFixed(4)} ± ${half.toFixed(4)} (95% CI)`,
    );
    // The harness's CPU while sampled includes its baseline work (spawning pgbench, reading its
    // output), shown per interval from the unsampled runs for comparison.
    console.log(
      `harness CPU per ${intervalMs} ms: ${mean(samplerCost.map((c) => c.nodeMsPerTick)).toFixed(2)} ms sampled, ` +
        `${((mean(idleNodeMsPerS) * intervalMs) / 1000).toFixed(2)} ms unsampled; ` +
        `sampler's PostgreSQL backend ${mean(samplerCost.map((c) => c.backendMsPerTick)).toFixed(2)} ms per tick`,
    );
    const pid = stack.postgresComponent.pid;
    if (pid !== undefined)
      console.log('read cost per process (idle tree):', JSON.stringify(await readCost(pid, 50)));
  } finally {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
