import path from 'node:path';
import type { Counting } from './types.js';

export interface PerfCounts {
  syscalls: number;
  contextSwitches: number;
  taskClockMs: number;
  pageFaults: number;
}

/** The events a perf cost cell counts, in the order passed to -e, with the field each one fills. */
export const PERF_EVENTS: ReadonlyArray<readonly [string, keyof PerfCounts]> = [
  ['raw_syscalls:sys_enter', 'syscalls'],
  ['context-switches', 'contextSwitches'],
  ['task-clock', 'taskClockMs'],
  ['page-faults', 'pageFaults'],
];

/** File names inside a counted process's output directory. */
export const COST_OUTPUT = {
  /** cachegrind's out files, one per process (%p is its pid). */
  cachegrindPattern: 'cg.%p',
  cachegrindPrefix: 'cg.',
  perfCsv: 'perf.csv',
} as const;

/** The user a component runs as (PostgreSQL's and PgBouncer's `postgres` when bench runs as root). */
export interface WrapUser {
  uid: number;
  gid: number;
}

export interface WrappedCommand {
  argv: string[];
  /**
   * perf runs as the user bench runs as (root can read tracepoints; perf_event_paranoid limits
   * others), and drops to the component's user for the command with setpriv: counters are
   * inherited across exec and fork. valgrind needs no privilege: it runs as the component's user.
   */
  spawnAs: 'component' | 'bench';
  /**
   * Where the graceful stop signal goes. perf stat ignores SIGINT and dies of SIGTERM without
   * writing its counts, so the component under it (perf's child) is signalled and perf writes its
   * file when the child exits; valgrind runs inside the component's own process.
   */
  signal: 'process' | 'child';
}

/** The component's command under valgrind or perf, writing into `outDir`. Pure. */
export function wrapCommand(
  method: Counting['method'],
  cmd: readonly string[],
  outDir: string,
  user: WrapUser | undefined,
): WrappedCommand {
  if (method === 'valgrind') {
    return {
      argv: [
        'valgrind',
        '--tool=cachegrind',
        '--cache-sim=no',
        '--trace-children=yes',
        `--cachegrind-out-file=${path.join(outDir, COST_OUTPUT.cachegrindPattern)}`,
        ...cmd,
      ],
      spawnAs: 'component',
      signal: 'process',
    };
  }
  const drop = user ? ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--'] : [];
  return {
    argv: [
      'perf',
      'stat',
      '-x,',
      '-o',
      path.join(outDir, COST_OUTPUT.perfCsv),
      '-e',
      PERF_EVENTS.map(([e]) => e).join(','),
      '--',
      ...drop,
      ...cmd,
    ],
    spawnAs: 'bench',
    signal: 'child',
  };
}
