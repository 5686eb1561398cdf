import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { type CostToolProbe, probeCostTools } from '../runner/cost-tools.js';
import { type BinaryName, binaryVersion, INSTALL_HINT, locateTool } from '../stack/binaries.js';
import { pingDocker } from '../stack/docker-engine.js';
import { componentUser } from '../stack/user.js';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  /** Required for the native provider (a failure exits 3); optional checks only inform. */
  required: boolean;
  detail: string;
  fix?: string;
}

export interface DoctorResult {
  checks: DoctorCheck[];
  missingRequired: boolean;
}

/** Where one PostgreSQL-side tool was found; `unchecked` when locating it depended on another. */
export type ToolLocation =
  | { state: 'found'; path?: string; version?: string }
  | { state: 'missing' }
  | { state: 'unchecked'; reason: string };

export type ToolName = 'postgres' | 'pgbench' | 'pgbouncer';

/**
 * One check per tool, each about that tool only: a missing pgbench is pgbench's line, never
 * postgres's. An unchecked tool is not counted as missing (what blocks it is, on its own line).
 */
export function toolChecks(tools: Record<ToolName, ToolLocation>): DoctorCheck[] {
  return (['postgres', 'pgbench', 'pgbouncer'] as const).map((name): DoctorCheck => {
    const t = tools[name];
    switch (t.state) {
      case 'found': {
        const where = t.path ? ` (${t.path})` : '';
        return { name, ok: true, required: true, detail: `${t.version || 'found'}${where}` };
      }
      case 'missing':
        return {
          name,
          ok: false,
          required: true,
          detail: `${name === 'postgres' ? 'postgres (initdb, postgres)' : name} was not found`,
          fix: INSTALL_HINT,
        };
      default:
        return { name, ok: false, required: false, detail: `not checked: ${t.reason}` };
    }
  });
}

/**
 * Each tool located on its own (the search findBinaries uses), so doctor reports postgres's
 * version even when pgbench is missing, and never blames one tool for another. postgres counts
 * as found only with its initdb, as a run needs both.
 */
export async function locateTools(
  locate: (name: BinaryName) => string | undefined = (name) => locateTool(name),
): Promise<Record<ToolName, ToolLocation>> {
  const at = async (p: string | undefined): Promise<ToolLocation> =>
    p === undefined ? { state: 'missing' } : { state: 'found', path: p, version: await binaryVersion(p) };
  const postgres = locate('postgres');
  const [pg, pgbench, pgbouncer] = await Promise.all([
    at(locate('initdb') === undefined ? undefined : postgres),
    at(locate('pgbench')),
    at(locate('pgbouncer')),
  ]);
  return { postgres: pg, pgbench, pgbouncer };
}

/** openssl makes the throwaway certificates of configs with `tls:` (both providers; on the host). */
async function opensslCheck(): Promise<DoctorCheck> {
  const r = await execa('openssl', ['version'], { reject: false });
  return {
    name: 'openssl',
    ok: r.exitCode === 0,
    required: false,
    detail:
      r.exitCode === 0
        ? `${r.stdout.trim()} (certificates for configs with tls:)`
        : 'not found: configs with tls: cannot run',
    fix: 'apt-get install -y openssl',
  };
}

/** valgrind and perf as doctor lines: optional (only cost cells need them), each with its Debian package. */
export function costChecks(probes: readonly CostToolProbe[]): DoctorCheck[] {
  return probes.map((p) => ({
    name: p.tool,
    ok: p.ok,
    required: false,
    detail: p.ok ? `${p.detail}; cost cells can use it` : p.detail,
    ...(p.fix ? { fix: p.fix } : {}),
  }));
}

/** What a stack reached by DSN does not need here: only pgbench runs on this machine. */
const NOT_NEEDED_EXTERNAL = new Set(['postgres', 'pgbouncer', 'component user']);

/** `--provider external`: PostgreSQL's server binaries, PgBouncer and the component user become optional. */
export function forExternal(checks: readonly DoctorCheck[]): DoctorCheck[] {
  return checks.map((c) =>
    NOT_NEEDED_EXTERNAL.has(c.name)
      ? {
          ...c,
          required: false,
          detail: `${c.detail} (not needed: provider external runs only pgbench here)`,
        }
      : c,
  );
}

/** `bench doctor`: what this machine can run, and the command that installs what is missing. */
export async function doctor(opts: { provider?: string } = {}): Promise<DoctorResult> {
  const checks: DoctorCheck[] = [];
  const major = Number(process.versions.node.split('.')[0]);
  checks.push({
    name: 'node',
    ok: major >= 22,
    required: true,
    detail: `v${process.versions.node}`,
    fix: 'npm install -g --prefix /opt/node22 node@22 && export PATH=/opt/node22/bin:$PATH',
  });
  checks.push(...toolChecks(await locateTools()));
  try {
    const u = componentUser();
    checks.push({
      name: 'component user',
      ok: true,
      required: true,
      detail: u
        ? `running as root: components run as ${u.name} (uid ${u.uid})`
        : 'not root: components run as you',
    });
  } catch (e) {
    checks.push({
      name: 'component user',
      ok: false,
      required: true,
      detail: (e as Error).message,
      fix: INSTALL_HINT,
    });
  }
  const engine = await pingDocker();
  checks.push({
    name: 'docker engine',
    ok: engine.ok,
    required: false,
    detail: engine.ok
      ? `${engine.reason} (provider auto = testcontainers)`
      : `${engine.reason} (provider auto = native)`,
    fix: 'bash scripts/start-dockerd.sh (or start Docker), then export DOCKER_HOST=unix:///tmp/dockerd/docker.sock',
  });
  checks.push(await opensslCheck());
  checks.push(...costChecks(await probeCostTools(['valgrind', 'perf'])));
  checks.push({
    name: 'docker cli',
    ok: existsSync('/usr/bin/docker') || existsSync('/usr/local/bin/docker'),
    required: false,
    detail: 'only needed by scripts/ (dockerd, local images)',
    fix: 'apt-get install -y docker.io',
  });
  const judged = opts.provider === 'external' ? forExternal(checks) : checks;
  return { checks: judged, missingRequired: judged.some((c) => c.required && !c.ok) };
}
