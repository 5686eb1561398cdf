import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { type ProcStat, parseChildren, parseSmapsRollup, parseStat } from './procfs.js';
import type { GapSample, ProcSample } from './types.js';

/**
 * The two reads the process sampler needs, so tests can serve a fixture tree. Synchronous on
 * purpose: a /proc file is generated in memory, and readFileSync of /proc/<pid>/stat costs ~11 us of
 * CPU here against ~110 us for fs.promises.readFile (four thread-pool round trips per file), which
 * made the async version the largest cost of a tick (docs/sampling.md).
 */
export interface ProcFs {
  readFile(path: string): string;
  readdir(path: string): string[];
}

export const hostProcFs: ProcFs = {
  readFile: (p) => readFileSync(p, 'utf8'),
  readdir: (p) => readdirSync(p),
};

/** One component to sample: `key` is `postgres`, `pgbouncer:<config>`, `proxy:<config>`. */
export type ProcTarget = { key: string; role: string; pid: number };

export type ProcSamplerOptions = {
  targets: ProcTarget[];
  clkTck: number;
  pageSize: number;
  /**
   * Read PSS (smaps_rollup) every n-th tick, starting with the second (see pssDue); 0 = never. smaps_rollup makes the kernel walk every
   * mapping of the process, which costs far more than stat (see docs/sampling.md for the figures).
   */
  pssEvery: number;
  /** Monotonic milliseconds for CPU deltas (performance.now by default). */
  monotonic?: () => number;
  fs?: ProcFs;
  procRoot?: string;
  /** PIDs left out of every tree: the samplers' own PostgreSQL backends are not the component's cost. */
  exclude?: () => ReadonlySet<number>;
};

const execFileAsync = promisify(execFile);

/** CLK_TCK and the page size, read once (`getconf`); 100 and 4096 on x86-64 Linux. */
export async function systemConstants(): Promise<{ clkTck: number; pageSize: number; warnings: string[] }> {
  const warnings: string[] = [];
  const get = async (name: string, fallback: number): Promise<number> => {
    try {
      const { stdout } = await execFileAsync('getconf', [name], { timeout: 5000 });
      const v = Number(stdout.trim());
      if (Number.isInteger(v) && v > 0) return v;
      warnings.push(`getconf ${name} printed "${stdout.trim()}"; assuming ${fallback}`);
    } catch (err) {
      warnings.push(`getconf ${name} failed (${errorText(err)}); assuming ${fallback}`);
    }
    return fallback;
  };
  const [clkTck, pageSize] = await Promise.all([get('CLK_TCK', 100), get('PAGESIZE', 4096)]);
  return { clkTck, pageSize, warnings };
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** ENOENT/ESRCH: the process exited between listing and reading. */
function isGone(err: unknown): boolean {
  const code = errorCode(err);
  return code === 'ENOENT' || code === 'ESRCH';
}

type TreeMode = 'children' | 'scan';

/**
 * The /proc reads of one tick, shared by all components. Children come from
 * /proc/<pid>/task/<tid>/children (CONFIG_PROC_CHILDREN): cost proportional to the tree. Without
 * it, one scan of every /proc/<pid>/stat builds a parent index, once per tick for all components.
 */
class TickView {
  private readonly stats = new Map<number, ProcStat | undefined>();
  private index?: Map<number, number[]>;

  constructor(
    private readonly fs: ProcFs,
    private readonly root: string,
    private readonly mode: TreeMode,
  ) {}

  /** Undefined when the process has exited. */
  stat(pid: number): ProcStat | undefined {
    if (this.stats.has(pid)) return this.stats.get(pid);
    let s: ProcStat | undefined;
    try {
      s = parseStat(this.fs.readFile(`${this.root}/${pid}/stat`));
    } catch (err) {
      if (!isGone(err)) throw err;
    }
    this.stats.set(pid, s);
    return s;
  }

  children(stat: ProcStat): number[] {
    if (this.mode === 'scan') return this.parentIndex().get(stat.pid) ?? [];
    try {
      const tids =
        stat.numThreads <= 1 ? [String(stat.pid)] : this.fs.readdir(`${this.root}/${stat.pid}/task`);
      const out: number[] = [];
      for (const tid of tids) {
        try {
          out.push(...parseChildren(this.fs.readFile(`${this.root}/${stat.pid}/task/${tid}/children`)));
        } catch (err) {
          if (!isGone(err)) throw err;
        }
      }
      return out;
    } catch (err) {
      if (isGone(err)) return [];
      throw err;
    }
  }

  private parentIndex(): Map<number, number[]> {
    if (this.index) return this.index;
    const index = new Map<number, number[]>();
    for (const entry of this.fs.readdir(this.root)) {
      if (!/^\d+$/.test(entry)) continue;
      const s = this.stat(Number(entry));
      if (!s) continue;
      const list = index.get(s.ppid);
      if (list) list.push(s.pid);
      else index.set(s.ppid, [s.pid]);
    }
    this.index = index;
    return index;
  }
}

/** The root and every descendant still alive at this instant; undefined when the root is gone. */
function collectTree(view: TickView, rootPid: number, exclude: ReadonlySet<number>): ProcStat[] | undefined {
  const root = view.stat(rootPid);
  if (!root) return undefined;
  const out: ProcStat[] = [];
  const seen = new Set<number>([rootPid]);
  const queue: ProcStat[] = [root];
  for (let s = queue.shift(); s; s = queue.shift()) {
    out.push(s);
    for (const kid of view.children(s)) {
      if (seen.has(kid) || exclude.has(kid)) continue;
      seen.add(kid);
      const ks = view.stat(kid);
      if (ks) queue.push(ks);
    }
  }
  return out;
}

/**
 * CPU ever used by a tree: utime+stime of the live processes plus cutime+cstime, the CPU of children
 * they have reaped. When a backend exits and the postmaster reaps it, its CPU moves into the
 * postmaster's cutime, so the total stays monotonic and a delta includes processes that lived and
 * died between two ticks (one connection per transaction under `pgbench -C`). What is lost: a process
 * that exits and is reaped by something outside the tree (a double-forked daemon re-parented to init).
 */
export function treeCpuTicks(procs: ProcStat[]): number {
  let total = 0;
  for (const p of procs) total += p.utime + p.stime + p.cutime + p.cstime;
  return total;
}

type CpuBaseline = { pid: number; starttime: number; ticks: number; atMs: number };

export class ProcSampler {
  readonly kind = 'proc' as const;
  readonly warnings = new Set<string>();
  private readonly fs: ProcFs;
  private readonly root: string;
  private readonly monotonic: () => number;
  private mode?: TreeMode;
  /** Components whose smaps_rollup could not be read, with the reason: PSS stays off for them. */
  private readonly pssOff = new Map<string, string>();
  private tickNo = 0;
  private readonly baselines = new Map<string, CpuBaseline>();

  constructor(private readonly opts: ProcSamplerOptions) {
    this.fs = opts.fs ?? hostProcFs;
    this.root = opts.procRoot ?? '/proc';
    this.monotonic = opts.monotonic ?? (() => performance.now());
  }

  /** Why PSS is missing, per component key (only components whose smaps_rollup failed). */
  get pssErrors(): ReadonlyMap<string, string> {
    return this.pssOff;
  }

  /** Undefined while the probed process is itself gone (nothing learned about the kernel). */
  private detectMode(pid: number): TreeMode | undefined {
    const readable = (p: string): boolean => {
      try {
        this.fs.readFile(p);
        return true;
      } catch {
        return false;
      }
    };
    if (readable(`${this.root}/${pid}/task/${pid}/children`)) return 'children';
    if (!readable(`${this.root}/${pid}/stat`)) return undefined;
    this.warnings.add(
      'proc: /proc/<pid>/task/<tid>/children is missing (kernel without CONFIG_PROC_CHILDREN); scanning /proc',
    );
    return 'scan';
  }

  /** One line per component: a sample or a gap. Never throws; runs synchronously (see ProcFs). */
  sample(t: number): Array<ProcSample | GapSample> {
    const targets = this.opts.targets;
    if (targets.length === 0) return [];
    this.tickNo++;
    for (const target of targets) {
      if (this.mode !== undefined) break;
      this.mode = this.detectMode(target.pid);
    }
    const view = new TickView(this.fs, this.root, this.mode ?? 'scan');
    const readPss = pssDue(this.tickNo, this.opts.pssEvery);
    return targets.map((target) => this.sampleOne(t, view, target, readPss && !this.pssOff.has(target.key)));
  }

  private sampleOne(t: number, view: TickView, target: ProcTarget, readPss: boolean): ProcSample | GapSample {
    const gap = (error: string): GapSample => ({ t, kind: 'proc', gap: true, error, component: target.key });
    let procs: ProcStat[] | undefined;
    let atMs: number;
    try {
      atMs = this.monotonic();
      procs = collectTree(view, target.pid, this.opts.exclude?.() ?? new Set());
    } catch (err) {
      return gap(`reading /proc for pid ${target.pid}: ${errorText(err)}`);
    }
    const root = procs?.[0];
    if (!procs || !root) return gap(`process ${target.pid} is gone`);
    if (root.state === 'Z') return gap(`process ${target.pid} has exited (zombie)`);

    let rssPages = 0;
    for (const p of procs) rssPages += p.rssPages;
    const out: ProcSample = {
      t,
      kind: 'proc',
      component: target.key,
      pid: target.pid,
      processes: procs.length,
      rssBytes: rssPages * this.opts.pageSize,
    };

    if (readPss) {
      const pss = this.readPss(target.key, procs);
      if (pss !== undefined) out.pssBytes = pss;
    }

    const ticks = treeCpuTicks(procs);
    const prev = this.baselines.get(target.key);
    if (prev && prev.pid === target.pid && prev.starttime === root.starttime) {
      const delta = ticks - prev.ticks;
      const dtMs = atMs - prev.atMs;
      // A negative delta means a reaped child was missed mid-walk; keep the old baseline so the next
      // sample's delta covers both intervals instead of inventing a value for this one.
      if (delta >= 0 && dtMs > 0) {
        const cpuSeconds = delta / this.opts.clkTck;
        out.cpuSeconds = cpuSeconds;
        out.dtMs = Math.round(dtMs * 1000) / 1000;
        out.cpuCores = cpuSeconds / (dtMs / 1000);
        this.baselines.set(target.key, { pid: target.pid, starttime: root.starttime, ticks, atMs });
      }
    } else {
      if (prev)
        this.warnings.add(`proc: ${target.key} pid ${target.pid} was replaced; CPU baseline restarted`);
      this.baselines.set(target.key, { pid: target.pid, starttime: root.starttime, ticks, atMs });
    }
    return out;
  }

  /** Undefined (and PSS off for this component for the rest of the cell, with a warning) when smaps_rollup cannot be read. */
  private readPss(key: string, procs: ProcStat[]): number | undefined {
    const off = (reason: string): undefined => {
      this.pssOff.set(key, reason);
      this.warnings.add(`proc: PSS of ${key} not readable (${reason}); PSS disabled for ${key} in this cell`);
      return undefined;
    };
    let total = 0;
    for (const p of procs) {
      let text: string;
      try {
        text = this.fs.readFile(`${this.root}/${p.pid}/smaps_rollup`);
      } catch (err) {
        // A process that exited since the walk holds no memory any more.
        if (isGone(err)) continue;
        return off(errorText(err));
      }
      const v = parseSmapsRollup(text);
      if (!v) return off(`unexpected smaps_rollup text for pid ${p.pid}`);
      total += v.pssBytes;
    }
    return total;
  }
}

/**
 * Whether tick `tickNo` (1 = the first) reads PSS when it is read every `every` ticks (0 = never):
 * every tick for 1, else the second tick and every `every`-th after it. The first tick is left out
 * because it usually runs before pgbench has connected (and outside the summary window).
 */
export function pssDue(tickNo: number, every: number): boolean {
  if (every <= 0) return false;
  return every === 1 || (tickNo >= 2 && (tickNo - 2) % every === 0);
}
