/*
 * Speed and memory of aggregateTxLog (src/pgbench/txlog.ts) on synthetic pgbench 15 logs.
 *
 *   npx tsc -p tsconfig.json && node --experimental-strip-types bench/txlog-speed.ts [lines...]
 *
 * Runs against the compiled dist/ because the sources import each other with `.js` suffixes,
 * which Node's type stripping does not map back to `.ts`. Default sizes: 1,000,000 and
 * 10,000,000 lines. For each size it writes a realistic log (32 clients over 4 thread files,
 * log-normal latencies around 1 ms with a tail past 65 ms, 0.05% failed, 0.02% skipped) into a
 * temp dir, then aggregates it 3 times, each in a fresh child process so that the child's peak
 * RSS (VmHWM) belongs to aggregation alone. The file is in the page cache (just written): the
 * figure is parse speed, not disk speed.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const cores = (await import('node:os')).cpus().length;
const distTxlog = new URL('../dist/src/pgbench/txlog.js', import.meta.url).href;

function vmHwmKiB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

/** Child mode: aggregate the files in a directory, print one JSON line. */
async function child(dir: string): Promise<void> {
  const { aggregateTxLog, findTxLogFiles } = (await import(
    distTxlog
  )) as typeof import('../src/pgbench/txlog.js');
  const rssBefore = vmHwmKiB();
  const files = await findTxLogFiles(dir);
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const r = await aggregateTxLog(files);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  const h = r.histogram;
  console.log(
    JSON.stringify({
      seconds,
      cpuSeconds,
      lines: r.lines,
      failed: r.failed,
      skipped: r.skipped,
      malformed: r.malformed,
      count: h.count,
      p50: h.percentile(50),
      p99: h.percentile(99),
      max: h.max,
      hwmBeforeKiB: rssBefore,
      hwmKiB: vmHwmKiB(),
    }),
  );
}

/** Deterministic PRNG (mulberry32) so every run writes the same log. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(dir: string, lines: number): number {
  const threads = 4;
  const clients = 32;
  const rand = rng(42);
  const fds = Array.from({ length: threads }, (_, t) =>
    openSync(join(dir, t === 0 ? 'pgbench_log.4242' : `pgbench_log.4242.${t}`), 'w'),
  );
  const buffers: string[][] = Array.from({ length: threads }, () => []);
  const txNo = new Array<number>(clients).fill(0);
  let epoch = 1_795_461_005;
  let us = 0;
  for (let i = 0; i < lines; i++) {
    const client = Math.floor(rand() * clients);
    const thread = client % threads;
    txNo[client] = (txNo[client] ?? 0) + 1;
    // Log-normal around ~900 µs (Box-Muller), and 1 in 2000 from a slow tail up to ~250 ms.
    const z = Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
    let latency = Math.round(Math.exp(6.8 + 0.45 * z));
    if (rand() < 0.0005) latency = 65_000 + Math.floor(rand() * 185_000);
    const u = rand();
    const time = u < 0.0005 ? 'failed' : u < 0.0007 ? 'skipped' : String(latency);
    us += 25;
    if (us >= 1_000_000) {
      us -= 1_000_000;
      epoch++;
    }
    const buf = buffers[thread] as string[];
    buf.push(`${client} ${txNo[client]} ${time} 0 ${epoch} ${us}\n`);
    if (buf.length === 65_536) {
      writeSync(fds[thread] as number, buf.join(''));
      buf.length = 0;
    }
  }
  let bytes = 0;
  for (let t = 0; t < threads; t++) {
    const fd = fds[t] as number;
    writeSync(fd, (buffers[t] as string[]).join(''));
    closeSync(fd);
    bytes += statSync(join(dir, t === 0 ? 'pgbench_log.4242' : `pgbench_log.4242.${t}`)).size;
  }
  return bytes;
}

interface ChildResult {
  seconds: number;
  cpuSeconds: number;
  lines: number;
  failed: number;
  skipped: number;
  malformed: number;
  count: number;
  p50: number;
  p99: number;
  max: number;
  hwmBeforeKiB: number;
  hwmKiB: number;
}

function runChild(dir: string): ChildResult {
  const r = spawnSync(
    process.execPath,
    ['--experimental-strip-types', '--no-warnings', here, '--child', dir],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim()) as ChildResult;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1] as string);
  const sizes = args.length > 0 ? args.map(Number) : [1_000_000, 10_000_000];
  console.log(
    `node ${process.version}, ${process.platform} ${process.arch}, ${cores} cores, loadavg ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  );
  for (const lines of sizes) {
    const dir = mkdtempSync(join(tmpdir(), 'txlog-speed-'));
    try {
      const genStart = Date.now();
      const bytes = generate(dir, lines);
      const genS = (Date.now() - genStart) / 1000;
      const runs = [runChild(dir), runChild(dir), runChild(dir)];
      const median = [...runs].sort((a, b) => a.seconds - b.seconds)[1] as ChildResult;
      const best = [...runs].sort((a, b) => a.seconds - b.seconds)[0] as ChildResult;
      const rate = (r: ChildResult, s: number) => `${(r.lines / s / 1e6).toFixed(2)} M lines/s`;
      const mib = bytes / 1024 / 1024;
      console.log(
        `${lines.toLocaleString('en-US')} lines, ${mib.toFixed(0)} MiB in 4 files (generated in ${genS.toFixed(1)} s)`,
      );
      console.log(
        `  wall: median ${median.seconds.toFixed(3)} s = ${rate(median, median.seconds)}, ` +
          `best ${best.seconds.toFixed(3)} s = ${rate(best, best.seconds)} ` +
          `(runs ${runs.map((r) => r.seconds.toFixed(3)).join(', ')} s)`,
      );
      console.log(
        `  cpu (user+sys of the aggregating process): median run ${median.cpuSeconds.toFixed(3)} s = ${rate(median, median.cpuSeconds)}`,
      );
      console.log(
        `  peak RSS (VmHWM) ${(median.hwmKiB / 1024).toFixed(0)} MiB; node baseline before aggregation ${(median.hwmBeforeKiB / 1024).toFixed(0)} MiB`,
      );
      console.log(
        `  lines ${median.lines} = ok ${median.count} + failed ${median.failed} + skipped ${median.skipped} + malformed ${median.malformed}; ` +
          `p50 ${median.p50} µs, p99 ${median.p99} µs, max ${median.max} µs`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

await main();
