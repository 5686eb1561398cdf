import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ConfigurationError } from '../errors.js';
import { PERF_PACKAGE } from '../profile/event.js';

/**
 * perf must run, and be allowed to record kernel and user stacks of the components' processes
 * (other users' processes when bench is root and they run as postgres): checked before anything
 * starts. Debian's /usr/bin/perf is a wrapper that fails when no perf matches the running kernel,
 * so `perf --version` is run, not only looked for.
 */
export function checkPerf(where: string): void {
  try {
    execFileSync('perf', ['--version'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
  } catch (e) {
    const why =
      (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'perf is not installed' : 'perf does not run';
    throw new ConfigurationError(
      `${where}: profiling needs perf, and ${why}: install the Debian package ${PERF_PACKAGE} (apt-get install -y ${PERF_PACKAGE})`,
    );
  }
  const paranoid = perfParanoid();
  if (process.getuid?.() !== 0 && paranoid !== undefined && paranoid > 1) {
    throw new ConfigurationError(
      `${where}: profiling records kernel stacks of the components' processes, which kernel.perf_event_paranoid=${paranoid} forbids to a non-root user: run bench as root or set it to 1 (sysctl kernel.perf_event_paranoid=1)`,
    );
  }
}

function perfParanoid(): number | undefined {
  try {
    return Number(readFileSync('/proc/sys/kernel/perf_event_paranoid', 'utf8').trim());
  } catch {
    return undefined;
  }
}
