import { existsSync, readFileSync } from 'node:fs';
import { execa } from 'execa';
import type { CostMethod } from '../results/cost-types.js';

/** The Debian package of each counting tool (what the messages name; scripts/setup.sh installs them). */
export const COST_PACKAGES = { valgrind: 'valgrind', perf: 'linux-perf', setpriv: 'util-linux' } as const;

export interface CostToolProbe {
  tool: 'valgrind' | 'perf' | 'setpriv';
  ok: boolean;
  detail: string;
  fix?: string;
}

/** `perf_event_paranoid` and who we are: what a failed perf stat most likely means. */
function perfPermissionHint(): string {
  let paranoid = 'unknown';
  try {
    paranoid = readFileSync('/proc/sys/kernel/perf_event_paranoid', 'utf8').trim();
  } catch {
    // no procfs entry: a kernel without perf events
  }
  const root = process.getuid?.() === 0;
  return `kernel.perf_event_paranoid is ${paranoid}${root ? ' (running as root)' : ', not root: tracepoints need root or perf_event_paranoid -1'}`;
}

/** execa's result for a command that is not on PATH (spawn ENOENT: no exit code). */
function notFound(r: { exitCode?: number | undefined; code?: string | undefined }): boolean {
  return r.exitCode === undefined || r.code === 'ENOENT';
}

async function probeValgrind(): Promise<CostToolProbe> {
  const r = await execa('valgrind', ['--version'], { reject: false });
  if (r.exitCode === 0)
    return { tool: 'valgrind', ok: true, detail: `${r.stdout.trim()} (instructions: cachegrind)` };
  return {
    tool: 'valgrind',
    ok: false,
    detail: 'valgrind was not found: cost cells with method valgrind cannot run',
    fix: `apt-get install -y ${COST_PACKAGES.valgrind}`,
  };
}

/** perf must exist and be allowed to count the tracepoint and software events cost cells use. */
async function probePerf(): Promise<CostToolProbe> {
  // An absolute `true`: a failure must say something about perf, not about PATH.
  const workload = existsSync('/bin/true') ? '/bin/true' : 'true';
  const r = await execa('perf', ['stat', '-x,', '-e', 'raw_syscalls:sys_enter,task-clock', workload], {
    reject: false,
  });
  // Debian's /usr/bin/perf is a wrapper that exits 1 saying "not found" for a kernel without its perf.
  if (notFound(r) || (r.exitCode !== 0 && /perf.*not found/i.test(`${r.stderr}`))) {
    return {
      tool: 'perf',
      ok: false,
      detail: 'perf was not found: cost cells with method perf cannot run',
      fix: `apt-get install -y ${COST_PACKAGES.perf}`,
    };
  }
  const counted = /^\d+,,raw_syscalls:sys_enter,/m.test(`${r.stderr}`);
  if (r.exitCode === 0 && counted) {
    const v = await execa('perf', ['--version'], { reject: false });
    return {
      tool: 'perf',
      ok: true,
      detail: `${`${v.stdout}`.trim()}: perf stat -e raw_syscalls:sys_enter,task-clock works (${perfPermissionHint()})`,
    };
  }
  const why = `${r.stderr}`.split('\n').find((l) => l.trim() !== '') ?? `exit ${r.exitCode}`;
  return {
    tool: 'perf',
    ok: false,
    detail: `perf stat -e raw_syscalls:sys_enter,task-clock true failed (${why.trim()}); ${perfPermissionHint()}`,
    fix: 'run bench as root, or sysctl -w kernel.perf_event_paranoid=-1',
  };
}

async function probeSetpriv(): Promise<CostToolProbe> {
  const r = await execa('setpriv', ['--version'], { reject: false });
  return r.exitCode === 0
    ? { tool: 'setpriv', ok: true, detail: `${r.stdout.trim()} (perf drops to the component user with it)` }
    : {
        tool: 'setpriv',
        ok: false,
        detail: 'setpriv was not found: perf cannot start PgBouncer as its user',
        fix: `apt-get install -y ${COST_PACKAGES.setpriv}`,
      };
}

/** The tools cost cells need for these methods (perf as root also needs setpriv to drop privileges). */
export async function probeCostTools(methods: readonly CostMethod[]): Promise<CostToolProbe[]> {
  const probes: Array<Promise<CostToolProbe>> = [];
  if (methods.includes('valgrind')) probes.push(probeValgrind());
  if (methods.includes('perf')) {
    probes.push(probePerf());
    if (process.getuid?.() === 0) probes.push(probeSetpriv());
  }
  return Promise.all(probes);
}
