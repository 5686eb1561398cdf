/**
 * `perf script` output folded into stacks, the way Brendan Gregg's stackcollapse-perf.pl does it:
 * one line per distinct stack, `comm;outermost;...;innermost count`. Pure: text in, counts out.
 *
 * perf script prints one block per sample: a header line (`comm pid[/tid] [cpu] time: period
 * event:`) then one frame per line, innermost first (`addr symbol+0xoff (dso)`), then a blank line.
 */

/** Folded stacks: the stack (frames joined by `;`, outermost first) and its sample count. */
export type Folded = Map<string, number>;

export interface FoldResult {
  stacks: Folded;
  /** Samples seen (one per header line). */
  samples: number;
  /** Lines inside a sample that were not frames (skipped). */
  skipped: number;
}

// `pgbouncer 30587   337.260123:     250000 cpu-clock: `; the comm may hold spaces.
const HEADER = /^(\S.*?)\s+(\d+)(?:\/\d+)?\s+(?:\[\d+\]\s+)?\d+\.\d+:\s/;
// `ffffffff81e7b9c9 sk_free+0x19 ([kernel.kallsyms])`; the symbol may hold spaces (C++).
const FRAME = /^\s+([0-9a-f]+)\s+(.+?)\s+\((.*)\)\s*$/;
const KERNEL_DSO = /^\[kernel\.kallsyms\]|^\[.*\.ko\]$|\.ko$/;

/**
 * A frame's name: the symbol without its `+0x...` offset; an unknown symbol becomes its module
 * (`[libevent-2.1.so.7.0.1]`) as stackcollapse-perf does, or `[unknown]`. Kernel frames get `_[k]`
 * (stackcollapse-perf's --kernel), so a reader and the colours can tell them apart.
 */
export function frameName(symbol: string, dso: string): string {
  let name = symbol.replace(/\+0x[0-9a-f]+$/, '');
  if (name === '[unknown]' && dso !== '[unknown]' && dso !== '') {
    name = `[${dso.replace(/.*\//, '')}]`;
  }
  name = cleanName(name);
  return KERNEL_DSO.test(dso) ? `${name}_[k]` : name;
}

/** `;` separates frames and a space the count: neither may appear inside a name. */
function cleanName(name: string): string {
  return name.replace(/;/g, ':').replace(/\s+/g, '_');
}

/**
 * Runs of `[unknown]` frames as one: frame-pointer unwinding through code built without frame
 * pointers (a stripped Debian PgBouncer, libevent) follows garbage up to perf's 127-frame limit,
 * and a tower of a hundred `[unknown]` frames says no more than one.
 */
export function collapseUnknown(frames: readonly string[]): string[] {
  return frames.filter((f, i) => !(f === UNKNOWN && frames[i - 1] === UNKNOWN));
}

const UNKNOWN = '[unknown]';

/** Folds `perf script` output fed line by line (a long cell's output is streamed, not held). */
export class PerfScriptFolder {
  private readonly stacks: Folded = new Map();
  private samples = 0;
  private skipped = 0;
  private comm: string | undefined;
  private frames: string[] = [];

  line(line: string): void {
    if (line.trim() === '') {
      this.flush();
      return;
    }
    const h = line.startsWith(' ') || line.startsWith('\t') ? null : HEADER.exec(line);
    if (h) {
      this.flush();
      this.comm = h[1] ?? '';
      this.samples++;
      return;
    }
    const f = FRAME.exec(line);
    if (f && this.comm !== undefined) this.frames.push(frameName(f[2] ?? '', f[3] ?? ''));
    else this.skipped++;
  }

  result(): FoldResult {
    this.flush();
    return { stacks: this.stacks, samples: this.samples, skipped: this.skipped };
  }

  private flush(): void {
    if (this.comm === undefined) return;
    const key = [cleanName(this.comm), ...collapseUnknown(this.frames.reverse())].join(';');
    this.stacks.set(key, (this.stacks.get(key) ?? 0) + 1);
    this.comm = undefined;
    this.frames = [];
  }
}

/** Folds `perf script` text (any number of samples, any events). */
export function foldPerfScript(text: string): FoldResult {
  const f = new PerfScriptFolder();
  for (const line of text.split('\n')) f.line(line);
  return f.result();
}

/** The folded file's text: one `stack count` line per stack, biggest first (ties by name). */
export function foldedText(stacks: Folded): string {
  return [...stacks]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([k, n]) => `${k} ${n}\n`)
    .join('');
}

/** A folded file back into counts; lines that are not `stack count` are counted, not fatal. */
export function parseFolded(text: string): { stacks: Folded; malformed: number } {
  const stacks: Folded = new Map();
  let malformed = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^(.*\S)\s+(\d+)$/.exec(line);
    if (!m) {
      malformed++;
      continue;
    }
    const key = m[1] ?? '';
    stacks.set(key, (stacks.get(key) ?? 0) + Number(m[2]));
  }
  return { stacks, malformed };
}

/** Several folded sets summed (reps of one cell merged): counts of the same stack add up. */
export function mergeFolded(sets: readonly Folded[]): Folded {
  const out: Folded = new Map();
  for (const s of sets) for (const [k, n] of s) out.set(k, (out.get(k) ?? 0) + n);
  return out;
}

export function totalSamples(stacks: Folded): number {
  let t = 0;
  for (const n of stacks.values()) t += n;
  return t;
}
