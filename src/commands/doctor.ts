import { existsSync } from 'node:fs';
import { MissingToolError } from '../errors.js';
import { binaryVersion, findBinaries, INSTALL_HINT } from '../stack/binaries.js';
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

/** `bench doctor`: what this machine can run, and the command that installs what is missing. */
export async function doctor(): Promise<DoctorResult> {
  const checks: DoctorCheck[] = [];
  const major = Number(process.versions.node.split('.')[0]);
  checks.push({
    name: 'node',
    ok: major >= 22,
    required: true,
    detail: `v${process.versions.node}`,
    fix: 'npm install -g --prefix /opt/node22 node@22 && export PATH=/opt/node22/bin:$PATH',
  });
  for (const tool of ['postgres', 'pgbench', 'pgbouncer'] as const) {
    try {
      const bins = findBinaries({ needPgbouncer: tool === 'pgbouncer' });
      const bin = tool === 'pgbouncer' ? bins.pgbouncer : bins[tool];
      checks.push({
        name: tool,
        ok: true,
        required: true,
        detail: `${await binaryVersion(bin ?? '')} (${bin})`,
      });
    } catch (e) {
      checks.push({
        name: tool,
        ok: false,
        required: true,
        detail: e instanceof MissingToolError ? e.message : (e as Error).message,
        fix: INSTALL_HINT,
      });
    }
  }
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
  checks.push({
    name: 'docker cli',
    ok: existsSync('/usr/bin/docker') || existsSync('/usr/local/bin/docker'),
    required: false,
    detail: 'only needed by scripts/ (dockerd, local images)',
    fix: 'apt-get install -y docker.io',
  });
  return { checks, missingRequired: checks.some((c) => c.required && !c.ok) };
}
