import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clean } from '../../src/commands/clean.js';
import { parseMatrix } from '../../src/matrix/load.js';
import { cellArgv, initArgv, pgbenchEnv } from '../../src/pgbench/argv.js';
import { localPgbench } from '../../src/pgbench/local-runner.js';
import { parseSummary } from '../../src/pgbench/summary.js';
import { binaryVersion, findPgbench } from '../../src/stack/binaries.js';
import { runtimeClient } from '../../src/stack/container-engine.js';
import { withClient } from '../../src/stack/ready.js';
import { dockerEngine, testcontainersProvider } from '../../src/stack/testcontainers.js';
import type { ConfigPath, PgbenchRunner, Stack } from '../../src/stack/types.js';
import { tempDir } from '../helpers/tmp.js';

// The engine scripts/start-dockerd.sh starts, when the caller did not point elsewhere.
if (!process.env.DOCKER_HOST && existsSync('/tmp/dockerd/docker.sock')) {
  process.env.DOCKER_HOST = 'unix:///tmp/dockerd/docker.sock';
}
const IMAGE = process.env.BENCH_TEST_IMAGE ?? 'local/pgstack:bookworm';
const engine = await dockerEngine();
if (!engine.ok) {
  console.warn(
    `SKIPPED test/integration/testcontainers.test.ts: no Docker engine answers (${engine.reason})`,
  );
}

function matrixText(extra = ''): string {
  return `
name: tc-test
duration: 3s
scale: 2
concurrency: [4]
images: { postgres: ${IMAGE}, pgbouncer: ${IMAGE}, pgbench: ${IMAGE} }
configs:
  - { name: direct, kind: direct }
  - { name: pgbouncer-tx, kind: pgbouncer, pool_mode: transaction, default_pool_size: 10 }
workloads: [readonly]
${extra}
`;
}

async function labelled(label: string): Promise<string[]> {
  const r = await execa('docker', ['ps', '-aq', '--no-trunc', '--filter', `label=bench.run=${label}`]);
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}

const quiet = () => undefined;

describe.skipIf(!engine.ok && process.env.BENCH_REQUIRE_DOCKER !== '1')(
  'testcontainers provider on a real engine (host networking)',
  () => {
    let stack: Stack;
    let workdir: string;
    let label: string;
    let containerRunner: PgbenchRunner;
    let hostRunner: PgbenchRunner | undefined;
    let startMs = 0;
    const savedPgbench = process.env.BENCH_PGBENCH;

    beforeAll(async () => {
      const client = await runtimeClient();
      if (!(await client.image.exists((await import('testcontainers')).ImageName.fromString(IMAGE)))) {
        throw new Error(`image ${IMAGE} is missing: build it with docker/build-local-images.sh`);
      }
      workdir = tempDir('bench-tc-test-');
      label = path.basename(workdir);
      // The provider's own container pgbench path, even on a machine with a host pgbench.
      process.env.BENCH_PGBENCH = 'container';
      const t0 = Date.now();
      stack = await testcontainersProvider.start({
        matrix: parseMatrix(matrixText(), 'tc-test.yaml'),
        workdir,
        log: quiet,
      });
      // The runner keeps one path up at a time; these tests drive both at once, by hand.
      for (const c of ['direct', 'pgbouncer-tx']) await stack.startPath(c);
      startMs = Date.now() - t0;
      containerRunner = stack.pgbench;
      const host = findPgbench();
      if (host) hostRunner = localPgbench(host, await binaryVersion(host));
      const init = await stack.pgbench.run({
        args: initArgv(stack.postgres, 2),
        cwd: workdir,
        env: pgbenchEnv(stack.postgres),
        timeoutMs: 120_000,
      });
      expect(init.exitCode, init.stderr).toBe(0);
    }, 180_000);

    afterAll(async () => {
      if (savedPgbench === undefined) delete process.env.BENCH_PGBENCH;
      else process.env.BENCH_PGBENCH = savedPgbench;
      await stack?.stop();
      if (workdir) rmSync(workdir, { recursive: true, force: true });
    });

    it('starts postgres and pgbouncer as labelled containers on the host network', async () => {
      console.log(`container stack start-up: ${startMs} ms`);
      const ids = await labelled(label);
      const components = [stack.postgresComponent, ...[...stack.paths.values()].flatMap((p) => p.components)];
      expect(components.map((c) => c.role).sort()).toEqual(['pgbouncer', 'postgres']);
      expect(ids.sort()).toEqual(components.map((c) => c.containerId).sort());
      const inspect = JSON.parse((await execa('docker', ['inspect', ...ids])).stdout) as Array<{
        HostConfig: { NetworkMode: string };
        Config: { Labels: Record<string, string> };
      }>;
      for (const c of inspect) {
        expect(c.HostConfig.NetworkMode).toBe('host');
        expect(c.Config.Labels['bench.run']).toBe(label);
      }
      expect(stack.details.network).toBe('host');
      expect(stack.postgres.host).toBe('127.0.0.1');
    });

    it('reports components by the host PID of their main process, alive while running', () => {
      for (const c of [stack.postgresComponent, ...(stack.paths.get('pgbouncer-tx')?.components ?? [])]) {
        expect(c.pid, c.role).toBeGreaterThan(1);
        expect(existsSync(`/proc/${c.pid}`), `${c.role} pid ${c.pid}`).toBe(true);
        expect(readFileSync(`/proc/${c.pid}/comm`, 'utf8').trim()).toBe(c.role);
        // The process lives in the container's cgroup: it is the container's, not a host process.
        expect(readFileSync(`/proc/${c.pid}/cgroup`, 'utf8')).toContain(c.containerId);
        expect(c.alive()).toBe(true);
      }
    });

    it('takes versions from the running containers and records image ids', async () => {
      const labels = JSON.parse(
        (await execa('docker', ['image', 'inspect', '-f', '{{json .Config.Labels}}', IMAGE])).stdout,
      ) as Record<string, string>;
      const imageId = (await execa('docker', ['image', 'inspect', '-f', '{{.Id}}', IMAGE])).stdout.trim();
      // The image's package versions, e.g. 15.18-0+deb12u1 and 1.18.0-1+deb12u1.
      expect(labels['bench.postgresql.version']?.startsWith(`${stack.versions.postgres}-`)).toBe(true);
      expect(labels['bench.pgbouncer.version']?.startsWith(`${stack.versions.pgbouncer}-`)).toBe(true);
      expect(stack.versions.pgbench).toBe(stack.versions.postgres);
      expect(stack.pgbench.version).toBe(stack.versions.pgbench);
      const images = stack.details.images as Record<string, { ref: string; id: string }>;
      expect(images.postgres).toEqual({ ref: IMAGE, id: imageId });
      expect(images.pgbouncer?.id).toBe(imageId);
      expect(images.pgbench?.id).toBe(imageId);
      expect(stack.details.pgbench).toBe(`container ${IMAGE}`);
      expect(JSON.stringify(stack.details)).not.toContain(stack.postgres.password);
    });

    async function runCell(runner: PgbenchRunner, p: ConfigPath, prefix: string) {
      const cwd = mkdtempSync(path.join(workdir, `cell-${prefix}-`));
      const lines: string[] = [];
      const r = await runner.run({
        args: cellArgv({
          endpoint: p.endpoint,
          workload: { name: 'readonly', builtin: 'readonly', scripts: [], reconnect: false, flags: [] },
          clients: 4,
          threads: 2,
          durationS: 2,
          protocol: 'simple',
          logPrefix: 'pgbench_log',
        }),
        cwd,
        env: pgbenchEnv(p.endpoint),
        onStderr: (l) => lines.push(l),
        timeoutMs: 60_000,
      });
      return { r, cwd, lines, summary: parseSummary(r.stdout, r.stderr) };
    }

    for (const config of ['direct', 'pgbouncer-tx']) {
      it(`runs pgbench through ${config} from a container, logs landing in the cell directory`, async () => {
        const p = stack.paths.get(config);
        if (!p) throw new Error(config);
        const { r, cwd, lines, summary } = await runCell(containerRunner, p, `c-${config}`);
        expect(r.exitCode, r.stderr).toBe(0);
        expect(summary.tps ?? 0).toBeGreaterThan(0);
        expect(summary.failed).toBe(0);
        expect(lines.some((l) => l.startsWith('progress:'))).toBe(true);
        expect(readdirSync(cwd).some((f) => f.startsWith('pgbench_log'))).toBe(true);
        console.log(`${config} container pgbench: ${summary.tps?.toFixed(0)} tps`);
      });

      it.skipIf(!findPgbench())(`runs pgbench through ${config} from the host`, async () => {
        const p = stack.paths.get(config);
        if (!p || !hostRunner) throw new Error(config);
        const { r, summary } = await runCell(hostRunner, p, `h-${config}`);
        expect(r.exitCode, r.stderr).toBe(0);
        expect(summary.tps ?? 0).toBeGreaterThan(0);
        console.log(`${config} host pgbench: ${summary.tps?.toFixed(0)} tps`);
      });
    }

    it('kills a containerised pgbench on abort and removes its container', async () => {
      const p = stack.paths.get('direct');
      if (!p) throw new Error('direct');
      const ac = new AbortController();
      const before = new Set(await labelled(label));
      const t0 = Date.now();
      const pending = containerRunner.run({
        args: [
          '-h',
          p.endpoint.host,
          '-p',
          String(p.endpoint.port),
          '-U',
          p.endpoint.user,
          '-n',
          '-S',
          '-T',
          '60',
          p.endpoint.database,
        ],
        cwd: workdir,
        env: pgbenchEnv(p.endpoint),
        timeoutMs: 120_000,
        signal: ac.signal,
      });
      setTimeout(() => ac.abort(), 1_500);
      const r = await pending;
      expect(r.aborted).toBe(true);
      expect(r.signal).toBe('SIGKILL');
      expect(Date.now() - t0).toBeLessThan(15_000);
      expect(new Set(await labelled(label))).toEqual(before);
    });

    it('times out a containerised pgbench', async () => {
      const p = stack.paths.get('direct');
      if (!p) throw new Error('direct');
      const r = await containerRunner.run({
        args: [
          '-h',
          p.endpoint.host,
          '-p',
          String(p.endpoint.port),
          '-U',
          p.endpoint.user,
          '-n',
          '-S',
          '-T',
          '60',
          p.endpoint.database,
        ],
        cwd: workdir,
        env: pgbenchEnv(p.endpoint),
        timeoutMs: 1_500,
      });
      expect(r.timedOut).toBe(true);
      expect(r.exitCode).toBeNull();
    });

    it('restarts a config path with fresh containers', async () => {
      const old = stack.paths.get('pgbouncer-tx');
      const oldId = old?.components[0]?.containerId;
      const fresh = await stack.restartPath('pgbouncer-tx');
      expect(fresh.components[0]?.containerId).toBeDefined();
      expect(fresh.components[0]?.containerId).not.toBe(oldId);
      expect(old?.components[0]?.alive()).toBe(false);
      await withClient(fresh.endpoint, (c) => c.query('SELECT 1'));
      expect(await labelled(label)).toHaveLength(2);
    });

    it('stops and removes every container, idempotently', async () => {
      const pid = stack.postgresComponent.pid;
      await stack.stop();
      await stack.stop();
      expect(await labelled(label)).toEqual([]);
      expect(stack.postgresComponent.alive()).toBe(false);
      expect(existsSync(`/proc/${pid}`)).toBe(false);
    });
  },
);

describe.skipIf(!engine.ok && process.env.BENCH_REQUIRE_DOCKER !== '1')(
  'testcontainers provider failures and cleanup',
  () => {
    it('removes what it started when a path fails to start, and says why', async () => {
      const workdir = tempDir('bench-tc-fail-');
      const label = path.basename(workdir);
      try {
        // PostgreSQL starts; PgBouncer refuses its config (a setting with an invalid value).
        const m = parseMatrix(
          matrixText().replace(
            'default_pool_size: 10',
            'default_pool_size: 10, settings: { server_lifetime: nonsense }',
          ),
          'tc-fail.yaml',
        );
        // PgBouncer starts with its config's first cell, not with the stack.
        const s = await testcontainersProvider.start({ matrix: m, workdir, log: quiet });
        try {
          await expect(s.startPath('pgbouncer-tx')).rejects.toThrow(/pgbouncer|container/i);
        } finally {
          await s.stop();
        }
        expect(await labelled(label)).toEqual([]);
      } finally {
        rmSync(workdir, { recursive: true, force: true });
      }
    }, 120_000);

    it('stops starting and leaves nothing behind when interrupted during start-up', async () => {
      const workdir = tempDir('bench-tc-abort-');
      const ac = new AbortController();
      // Interrupt once PostgreSQL's container exists, while the stack is still coming up.
      const log = (m: string) => {
        if (m.startsWith('postgres ')) ac.abort();
      };
      try {
        await expect(
          testcontainersProvider.start({
            matrix: parseMatrix(matrixText(), 'tc.yaml'),
            workdir,
            log,
            signal: ac.signal,
          }),
        ).rejects.toThrow(/interrupted/);
        expect(ac.signal.aborted).toBe(true);
        expect(await labelled(path.basename(workdir))).toEqual([]);
      } finally {
        rmSync(workdir, { recursive: true, force: true });
      }
    }, 120_000);

    const built = path.resolve(import.meta.dirname, '../../dist/src/stack/testcontainers.js');
    it.skipIf(!existsSync(built))(
      'removes its containers from the exit hook when the process exits without stop()',
      async () => {
        const workdir = tempDir('bench-tc-exit-');
        const load = path.resolve(import.meta.dirname, '../../dist/src/matrix/load.js');
        const script = `
      const { parseMatrix } = await import(${JSON.stringify(load)});
      const { testcontainersProvider } = await import(${JSON.stringify(built)});
      const m = parseMatrix(${JSON.stringify(matrixText())}, 'tc.yaml');
      const s = await testcontainersProvider.start({ matrix: m, workdir: ${JSON.stringify(workdir)}, log: () => {} });
      console.log(s.postgresComponent.containerId);
      process.exit(0); // no stop(): only the exit hook can clean up
    `;
        try {
          const r = await execa(process.execPath, ['--input-type=module', '-e', script], {
            reject: false,
            timeout: 120_000,
          });
          expect(r.exitCode, r.stderr).toBe(0);
          expect(r.stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
          expect(await labelled(path.basename(workdir))).toEqual([]);
        } finally {
          rmSync(workdir, { recursive: true, force: true });
        }
      },
      120_000,
    );

    it('refuses bridge networking before starting anything', async () => {
      const workdir = tempDir('bench-tc-bridge-');
      const saved = process.env.BENCH_DOCKER_NETWORK;
      process.env.BENCH_DOCKER_NETWORK = 'bridge';
      try {
        await expect(
          testcontainersProvider.start({ matrix: parseMatrix(matrixText(), 'tc.yaml'), workdir, log: quiet }),
        ).rejects.toThrow(/not supported on this machine/);
        expect(await labelled(path.basename(workdir))).toEqual([]);
      } finally {
        if (saved === undefined) delete process.env.BENCH_DOCKER_NETWORK;
        else process.env.BENCH_DOCKER_NETWORK = saved;
        rmSync(workdir, { recursive: true, force: true });
      }
    });

    it('bench clean finds leftovers by label and removes only those', async () => {
      const client = await runtimeClient();
      const run = `bench-tc-clean-${process.pid}`;
      const mk = (labels: Record<string, string>) =>
        client.container.dockerode.createContainer({
          Image: IMAGE,
          Entrypoint: ['sleep', '600'],
          Labels: labels,
          HostConfig: { NetworkMode: 'host' },
        });
      const left = await mk({ 'bench.run': run, 'bench.component': 'postgres' });
      const other = await mk({ 'not.bench': run });
      try {
        await left.start();
        const dry = await clean({ dryRun: true, run });
        expect(dry.removed).toEqual([left.id]);
        expect(await labelled(run)).toEqual([left.id]);
        const done = await clean({ run });
        expect(done.removed).toEqual([left.id]);
        expect(done.containers[0]?.component).toBe('postgres');
        expect(await labelled(run)).toEqual([]);
        await other.inspect(); // untouched
      } finally {
        await left.remove({ force: true }).catch(() => undefined);
        await other.remove({ force: true }).catch(() => undefined);
      }
    });
  },
);
