import { ConfigurationError } from '../errors.js';
import type { Matrix } from '../matrix/load.js';
import type { ConfigSpec } from '../matrix/schema.js';
import type { Component, ConfigPath, ProviderName } from '../stack/types.js';
import type { CellHooks } from './cell.js';
import { checkPerf } from './profile-perf.js';
import { type ProfileTarget, startProfileSession } from './profile-record.js';

/** Whether a config asks for flame graphs (`profile: true`, or `--profile` for all). */
export function profiles(c: ConfigSpec): boolean {
  return (c.kind === 'pgbouncer' || c.kind === 'proxy') && c.profile === true;
}

/** A component's name in profile files and reports: `pgbouncer`, `worker-2`, `proxy`. */
export function componentLabel(c: Pick<Component, 'name' | 'role'>): string {
  return c.name ?? c.role;
}

/** The processes perf records for a config: its pooler(s) and proxy, never the shared PostgreSQL. */
export function profileTargets(components: readonly Component[]): ProfileTarget[] {
  return components
    .filter((c) => c.role !== 'postgres' && c.pid !== undefined && c.pid > 0)
    .map((c) => ({ component: componentLabel(c), pid: c.pid as number }));
}

/**
 * Refuses profiling before anything starts when it cannot run: perf missing or not allowed, or a
 * provider whose components bench does not start (external). Containers run in the host's PID
 * namespace's view too, so perf on the host records them by their host PIDs like local processes.
 */
export function checkProfiling(matrix: Matrix, provider: ProviderName, profileFlag: boolean): void {
  const asked = matrix.spec.configs.filter(profiles);
  if (asked.length === 0) {
    if (profileFlag) {
      throw new ConfigurationError(
        `--profile: expected a matrix with a pgbouncer or proxy config to profile, ${matrix.file} has none`,
      );
    }
    return;
  }
  if (provider === 'external') {
    throw new ConfigurationError(
      `${matrix.file}: profile: expected the native or testcontainers provider (bench records the processes it started), the external provider starts none`,
    );
  }
  const i = matrix.spec.configs.indexOf(asked[0] as ConfigSpec);
  checkPerf(profileFlag ? '--profile' : `${matrix.file}: configs[${i}].profile`);
}

/** The cell hook that records flame-graph stacks of the config's components, when it asks for them. */
export function profileHooks(
  config: ConfigSpec | undefined,
  path: ConfigPath,
  cellDir: string,
): Pick<CellHooks, 'profile'> {
  if (!config || !profiles(config)) return {};
  return { profile: () => startProfileSession(profileTargets(path.components), cellDir) };
}
