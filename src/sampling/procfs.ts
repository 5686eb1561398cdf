/** Pure parsers of Linux /proc text (see proc(5)). They return undefined on text they do not understand. */

export type ProcStat = {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  /** Clock ticks (CLK_TCK) in user and kernel mode. */
  utime: number;
  stime: number;
  /** Clock ticks of children this process has waited for (reaped), recursively. */
  cutime: number;
  cstime: number;
  numThreads: number;
  /** Clock ticks after boot when the process started; with pid it identifies a process across pid reuse. */
  starttime: number;
  /**
   * Resident pages: the same counter as statm's second field and status VmRSS, so one read of stat
   * gives CPU, RSS, parent and start time at one instant.
   */
  rssPages: number;
};

/**
 * /proc/<pid>/stat. The comm field is in parentheses and may itself contain spaces and parentheses
 * (a process may name itself `a) b (c`), so it runs from the first '(' to the LAST ')'.
 */
export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  const comm = text.slice(open + 1, close);
  // rest[0] is field 3 (state); field n is rest[n - 3].
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const field = (n: number): number => Number(rest[n - 3]);
  const stat: ProcStat = {
    pid,
    comm,
    state: rest[0] ?? '',
    ppid: field(4),
    utime: field(14),
    stime: field(15),
    cutime: field(16),
    cstime: field(17),
    numThreads: field(20),
    starttime: field(22),
    rssPages: field(24),
  };
  for (const v of [pid, stat.ppid, stat.utime, stat.stime, stat.cutime, stat.cstime, stat.starttime]) {
    if (!Number.isInteger(v)) return undefined;
  }
  if (!Number.isInteger(stat.rssPages) || !Number.isInteger(stat.numThreads)) return undefined;
  return stat;
}

export type SmapsRollup = { rssBytes: number; pssBytes: number };

/** /proc/<pid>/smaps_rollup: the `Rss:` and `Pss:` lines (kB). Pss_Anon, Pss_File etc. are not Pss. */
export function parseSmapsRollup(text: string): SmapsRollup | undefined {
  let rss: number | undefined;
  let pss: number | undefined;
  for (const line of text.split('\n')) {
    const m = /^(Rss|Pss):\s+(\d+)\s+kB/.exec(line);
    if (!m) continue;
    const bytes = Number(m[2]) * 1024;
    if (m[1] === 'Rss') rss = bytes;
    else pss = bytes;
  }
  if (rss === undefined || pss === undefined) return undefined;
  return { rssBytes: rss, pssBytes: pss };
}

/** /proc/<pid>/task/<tid>/children: space-separated pids of the thread's children. */
export function parseChildren(text: string): number[] {
  return text
    .trim()
    .split(/\s+/)
    .filter((s) => s !== '')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}
