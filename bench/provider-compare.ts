/**
 * Container provider vs native provider on the same machine, in one session:
 *  1. stack start-up (provider.start() to a ready PostgreSQL + PgBouncer) and stop, alternating
 *     the providers start by start;
 *  2. TPS of one cell (readonly, -c 8, pgbouncer transaction mode) on both stacks, up at the
 *     same time, cells alternating ABAB (the order flips every pair) so drift hits both, each
 *     driven by a host pgbench and by a containerised one (where pgbench runs changes how the
 *     kernel shares the CPU between client and server: see docs/containers.md).
 *
 * Build and run (figures recorded in docs/containers.md):
 *   npx tsc --outDir .tmp/bench --rootDir . --module nodenext --moduleResolution nodenext \
 *     --target es2023 --strict --skipLibCheck --types node bench/provider-compare.ts
 *   DOCKER_HOST=unix:///tmp/dockerd/docker.sock node .tmp/bench/bench/provider-compare.js \
 *     [--starts 3] [--pairs 5] [--seconds 5] [--clients 8] [--scale 10] \
 *     [--image local/pgstack:bookworm] [--pgbench host,container] [--workloads readonly,readonly-short]
 *
 * Both stacks are driven by the same pgbench runners: `host` (the host's pgbench) and
 * `container` (pgbench in a container from --image on the host network, as the container
 * provider does on a machine without PostgreSQL installed).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseMatrix } from '../src/matrix/load.js';
import { initArgv, pgbenchEnv } from '../src/pgbench/argv.js';
import { localPgbench } from '../src/pgbench/local-runner.js';
import { parseSummary } from '../src/pgbench/summary.js';
import { binaryVersion, findPgbench } from '../src/stack/binaries.js';
import { runtimeClient } from '../src/stack/container-engine.js';
import { containerPgbench } from '../src/stack/container-pgbench.js';
import { nativeProvider } from '../src/stack/native.js';
import { withClient } from '../src/stack/ready.js';
import { testcontainersProvider } from '../src/stack/testcontainers.js';
import type { PgbenchRunner, Provider, Stack } from '../src/stack/types.js';

const { values: args } = parseArgs({
  options: {
    starts: { type: 'string', default: '3' },
    pairs: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
    clients: { type: 'string', default: '8' },
    scale: { type: 'string', default: '10' },
    image: { type: 'string', default: 'local/pgstack:bookworm' },
    pgbench: { type: 'string', default: findPgbench() ? 'host,container' : 'container' },
    workloads: { type: 'string', default: 'readonly' },
  },
});
const starts = Number(args.starts);
const pairs = Number(args.pairs);
const seconds = Number(args.seconds);
const clients = Number(args.clients);
const scale = Number(args.scale);
const placements = args.pgbench.split(',').filter((p) => p === 'host' || p === 'container');
const workloads = args.workloads.split(',').filter((w) => w === 'readonly' || w === 'readonly-short');

const matrix = parseMatrix(
  `
name: provider-compare
duration: ${seconds}s
scale: ${scale}
concurrency: [${clients}]
images: { postgres: ${args.image}, pgbouncer: ${args.image}, pgbench: ${args.image} }
configs:
  - { name: direct, kind: direct }
  - { name: pgbouncer-tx, kind: pgbouncer, pool_mode: transaction, default_pool_size: 20 }
workloads: [readonly]
`,
  'provider-compare.yaml',
);

const providers: Provider[] = [testcontainersProvider, nativeProvider];
const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => {
  const m = mean(xs);
  return xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};
const fmt = (xs: number[], digits = 0) =>
  `${mean(xs).toFixed(digits)} ± ${sd(xs).toFixed(digits)} (n=${xs.length})`;

async function startStack(p: Provider): Promise<{ stack: Stack; workdir: string; startMs: number }> {
  const workdir = await mkdtemp(path.join(os.tmpdir(), `bench-compare-${p.name}-`));
  const t0 = performance.now();
  const stack = await p.start({ matrix, workdir, log: () => undefined });
  for (const c of matrix.spec.configs) await stack.startPath(c.name);
  return { stack, workdir, startMs: performance.now() - t0 };
}

async function stopStack(s: { stack: Stack; workdir: string }): Promise<number> {
  const t0 = performance.now();
  await s.stack.stop();
  const ms = performance.now() - t0;
  await rm(s.workdir, { recursive: true, force: true });
  return ms;
}

console.log(
  `# provider-compare ${new Date().toISOString()} on ${os.hostname()}, ${os.availableParallelism()} cores`,
);
console.log(`# image ${args.image}; pgbench ${args.pgbench}; loadavg ${loadavg()}`);

// 1. start-up and stop, alternating.
const startMs: Record<string, number[]> = { testcontainers: [], native: [] };
const stopMs: Record<string, number[]> = { testcontainers: [], native: [] };
console.log('\nphase 1: start-up (PostgreSQL + PgBouncer ready) and stop');
for (let i = 0; i < starts; i++) {
  const order = i % 2 === 0 ? providers : [...providers].reverse();
  for (const p of order) {
    const s = await startStack(p);
    const stop = await stopStack(s);
    startMs[p.name]?.push(s.startMs);
    stopMs[p.name]?.push(stop);
    console.log(
      `  ${i + 1} ${p.name.padEnd(14)} start ${s.startMs.toFixed(0).padStart(6)} ms   stop ${stop.toFixed(0).padStart(6)} ms`,
    );
  }
}

// 2. TPS, both stacks up, cells alternating.
const runners = new Map<string, PgbenchRunner>();
const hostBin = findPgbench();
if (placements.includes('host') && hostBin)
  runners.set('host', localPgbench(hostBin, await binaryVersion(hostBin)));
if (placements.includes('container')) {
  const client = await runtimeClient();
  runners.set(
    'container',
    await containerPgbench({ client, image: args.image, runLabel: 'bench-provider-compare' }),
  );
}
console.log(
  `\nphase 2: pgbench -S -c ${clients} -j 2 -T ${seconds} through pgbouncer-tx (scale ${scale}); ` +
    `pgbench ${[...runners].map(([k, r]) => `${k} ${r.version}`).join(', ')}`,
);
const up = new Map<string, { stack: Stack; workdir: string; startMs: number }>();
/** tps[workload][pgbench placement][provider] */
const tps: Record<string, Record<string, Record<string, number[]>>> = {};
function record(workload: string, where: string, provider: string, value: number): void {
  const byWorkload = tps[workload] ?? {};
  tps[workload] = byWorkload;
  const byWhere = byWorkload[where] ?? {};
  byWorkload[where] = byWhere;
  const list = byWhere[provider] ?? [];
  byWhere[provider] = list;
  list.push(value);
}
try {
  for (const p of providers) {
    const s = await startStack(p);
    up.set(p.name, s);
    const t0 = performance.now();
    const init = await s.stack.pgbench.run({
      args: initArgv(s.stack.postgres, scale),
      cwd: s.workdir,
      env: pgbenchEnv(s.stack.postgres),
      timeoutMs: 600_000,
    });
    if (init.exitCode !== 0) throw new Error(`${p.name}: pgbench -i failed: ${init.stderr.slice(-500)}`);
    console.log(`  ${p.name}: pgbench -i -s ${scale} ${(performance.now() - t0).toFixed(0)} ms`);
  }
  for (let i = 0; i < pairs; i++) {
    for (const w of workloads) {
      for (const [where, runner] of runners) {
        const order = i % 2 === 0 ? providers : [...providers].reverse();
        for (const p of order) {
          const s = up.get(p.name);
          const path1 = s?.stack.paths.get('pgbouncer-tx');
          if (!s || !path1) throw new Error(p.name);
          await withClient(s.stack.postgres, (c) => c.query('CHECKPOINT'));
          await new Promise((r) => setTimeout(r, 1_000));
          const ep = path1.endpoint;
          const flags = w === 'readonly-short' ? ['-S', '-C'] : ['-S'];
          const r = await runner.run({
            args: [
              '-h',
              ep.host,
              '-p',
              String(ep.port),
              '-U',
              ep.user,
              '-n',
              ...flags,
              '-c',
              String(clients),
              '-j',
              '2',
              '-T',
              String(seconds),
              ep.database,
            ],
            cwd: s.workdir,
            env: pgbenchEnv(ep),
            timeoutMs: (seconds + 60) * 1000,
          });
          const summary = parseSummary(r.stdout, r.stderr);
          if (r.exitCode !== 0 || summary.tps === undefined)
            throw new Error(`${p.name}: pgbench failed: ${r.stderr.slice(-500)}`);
          record(w, where, p.name, summary.tps);
          console.log(
            `  ${i + 1} ${w.padEnd(14)} pgbench ${where.padEnd(9)} ${p.name.padEnd(14)} ${summary.tps.toFixed(0).padStart(7)} tps   loadavg ${loadavg()}`,
          );
        }
      }
    }
  }
} finally {
  for (const s of up.values()) await stopStack(s);
}

console.log('\nsummary');
console.log(
  `  start-up ms   testcontainers ${fmt(startMs.testcontainers ?? [])}   native ${fmt(startMs.native ?? [])}`,
);
console.log(
  `  stop ms       testcontainers ${fmt(stopMs.testcontainers ?? [])}   native ${fmt(stopMs.native ?? [])}`,
);
for (const [w, byWhere] of Object.entries(tps)) {
  for (const [where, byProvider] of Object.entries(byWhere)) {
    const tc = byProvider.testcontainers ?? [];
    const nat = byProvider.native ?? [];
    const ratios = tc.map((t, i) => t / (nat[i] ?? Number.NaN));
    console.log(`  ${w}, pgbench ${where}: tps testcontainers ${fmt(tc)}   native ${fmt(nat)}`);
    console.log(
      `    ratio testcontainers/native per pair ${ratios.map((r) => r.toFixed(3)).join(' ')}; mean ${fmt(ratios, 3)}`,
    );
  }
}
console.log(`# loadavg at end ${loadavg()}`);
