import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { PERF_EVENT } from '../profile/event.js';
import { foldedText, PerfScriptFolder } from '../profile/fold.js';
import { profileFile } from '../results/paths.js';
import type { ProfiledComponent, ProfileRecord } from '../results/types.js';
import { parseChildren } from '../sampling/procfs.js';
import { ManagedProcess } from '../stack/process.js';
import { splitLines } from '../util/lines.js';

/** One component to record: its label (pgbouncer, worker-2, proxy) and its main process. */
export interface ProfileTarget {
  component: string;
  pid: number;
}

/** perf record running on a component; stop() ends it and leaves only the folded stacks. */
interface Recording {
  target: ProfileTarget;
  pids: number[];
  data: string;
  proc?: ManagedProcess;
  error?: string;
}

/** The profiler of one cell: started before the measured pgbench, stopped after it. */
export interface ProfileSession {
  stop(): Promise<ProfileRecord>;
}

/** Starts perf record on every target and returns once all have attached (or failed to). */
export async function startProfileSession(
  targets: ProfileTarget[],
  cellDir: string,
): Promise<ProfileSession> {
  const recs = await startProfiling(targets, cellDir);
  return { stop: async () => ({ event: PERF_EVENT, components: await stopProfiling(recs, cellDir) }) };
}

/** How long perf record may take to attach (its file header appears once the events are open). */
const ATTACH_TIMEOUT_MS = 5_000;
/** perf record writes its file and build ids after SIGINT: seconds, not more. */
const STOP_GRACE_MS = 20_000;
/** perf script resolves symbols of every sample: a long cell's recording takes a while. */
const SCRIPT_TIMEOUT_MS = 180_000;

/** A process and its live descendants (a forking proxy's children), from /proc. */
export function processTree(root: number, procRoot = '/proc'): number[] {
  const out: number[] = [];
  const queue = [root];
  const seen = new Set<number>();
  for (let pid = queue.shift(); pid !== undefined; pid = queue.shift()) {
    if (seen.has(pid) || !existsSync(`${procRoot}/${pid}`)) continue;
    seen.add(pid);
    out.push(pid);
    let tids: string[] = [];
    try {
      tids = readdirSync(`${procRoot}/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        queue.push(...parseChildren(readFileSync(`${procRoot}/${pid}/task/${tid}/children`, 'utf8')));
      } catch {
        // the thread exited meanwhile
      }
    }
  }
  return out;
}

async function attached(data: string, proc: ManagedProcess): Promise<boolean> {
  const t0 = Date.now();
  while (Date.now() - t0 < ATTACH_TIMEOUT_MS) {
    if (!proc.alive()) return false;
    if (existsSync(data) && statSync(data).size > 0) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

/**
 * `perf record -e cpu-clock -g -p <pids>` on each target, returned once every recorder has attached
 * (so the measured pgbench starts under the profiler). Children the component forks later are
 * followed (perf's inherit); processes it had already forked are named in the pid list.
 */
async function startProfiling(targets: ProfileTarget[], cellDir: string): Promise<Recording[]> {
  const recs: Recording[] = targets.map((target) => {
    const pids = processTree(target.pid);
    const data = path.join(cellDir, `perf-${target.component}.data`);
    if (pids.length === 0) return { target, pids, data, error: `process ${target.pid} is not running` };
    const argv = ['perf', 'record', '-e', PERF_EVENT, '-g', '-p', pids.join(','), '-o', data];
    const proc = new ManagedProcess(argv, { name: `perf:${target.component}`, stopSignal: 'SIGINT' });
    return { target, pids, data, proc };
  });
  await Promise.all(
    recs.map(async (r) => {
      if (r.proc && !(await attached(r.data, r.proc))) {
        r.error = `perf record did not start: ${r.proc.logTail(3) || 'no output'}`;
        await r.proc.stop(1000);
      }
    }),
  );
  return recs;
}

/** Stops every recorder (SIGINT), folds each recording into profile-<component>.folded, deletes perf.data. */
async function stopProfiling(recs: Recording[], cellDir: string): Promise<ProfiledComponent[]> {
  await Promise.all(recs.map((r) => r.proc?.stop(STOP_GRACE_MS)));
  const out: ProfiledComponent[] = [];
  // One perf script at a time: each resolves symbols on a machine that is shared with the stack.
  for (const r of recs) out.push(await foldRecording(r, cellDir));
  return out;
}

async function foldRecording(r: Recording, cellDir: string): Promise<ProfiledComponent> {
  const base = { component: r.target.component, pids: r.pids };
  try {
    if (r.error) return { ...base, samples: 0, stacks: 0, error: r.error };
    if (!existsSync(r.data)) {
      return { ...base, samples: 0, stacks: 0, error: `perf record wrote no file: ${r.proc?.logTail(3)}` };
    }
    const freq = await sampleFrequency(r.data);
    const folded = await perfScript(r.data);
    const file = profileFile(r.target.component);
    await writeFile(path.join(cellDir, file), foldedText(folded.stacks));
    return {
      ...base,
      samples: folded.samples,
      stacks: folded.stacks.size,
      file,
      ...(freq !== undefined ? { sampleFrequencyHz: freq } : {}),
    };
  } catch (e) {
    return { ...base, samples: 0, stacks: 0, error: (e as Error).message };
  } finally {
    await rm(r.data, { force: true });
    await rm(`${r.data}.old`, { force: true });
  }
}

/** `perf evlist -F`: `cpu-clock: sample_freq=4000` (the frequency perf chose by default). */
async function sampleFrequency(data: string): Promise<number | undefined> {
  const r = await execa('perf', ['evlist', '-F', '-i', data], { reject: false, timeout: 30_000 });
  const m = /sample_freq=(\d+)/.exec(r.stdout);
  return m ? Number(m[1]) : undefined;
}

/** `perf script` streamed through the folder: a long recording's text is never held whole. */
function perfScript(data: string): Promise<ReturnType<PerfScriptFolder['result']>> {
  return new Promise((resolve, reject) => {
    const folder = new PerfScriptFolder();
    const child = spawn('perf', ['script', '-i', data], { stdio: ['ignore', 'pipe', 'pipe'] });
    const errs: string[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), SCRIPT_TIMEOUT_MS);
    splitLines(child.stdout, (line) => folder.line(line));
    splitLines(child.stderr, (line) => errs.length < 5 && errs.push(line));
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(folder.result());
      else reject(new Error(`perf script exited with ${code ?? signal}: ${errs.join(' ')}`));
    });
  });
}
