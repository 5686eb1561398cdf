/**
 * Sampling on a real stack (PostgreSQL 15, PgBouncer 1.18, pgbench 15 on 127.0.0.1), with the
 * native provider and, when a Docker engine answers, the container provider (host networking; the
 * process sampler reads the containers' processes through their host PIDs). Through PgBouncer in
 * transaction mode with a pool of 5, 20 pgbench clients must show at most 5 server backends and
 * clients waiting; directly, 20 clients must show 20 backends.
 */
import { existsSync } from 'node:fs';
import { chmod, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMatrix } from '../../src/matrix/load.js';
import { initArgv, pgbenchEnv } from '../../src/pgbench/argv.js';
import { startSampling } from '../../src/sampling/session.js';
import type { Sample } from '../../src/sampling/types.js';
import { nativeProvider } from '../../src/stack/native.js';
import { configRoles } from '../../src/stack/roles.js';
import type { ConfigPath, Endpoint, Provider, Stack } from '../../src/stack/types.js';
import { tempDir } from '../helpers/tmp.js';

const IMAGE = process.env.BENCH_TEST_IMAGE ?? 'local/pgstack:bookworm';
const matrixText = (images: string) => `
name: sampling-it${images}
duration: 4s
warmup: 0s
reps: 1
scale: 1
concurrency: [20]
baseline: direct
configs:
  - name: direct
    kind: direct
  - name: pgb
    kind: pgbouncer
    pool_mode: transaction
    default_pool_size: 5
workloads: [readonly]
`;

type ProviderCase = { name: string; images: string; load: () => Promise<Provider | string> };

const native: ProviderCase = { name: 'native', images: '', load: async () => nativeProvider };

/** The container provider, or why it cannot run here (loaded lazily: it needs an engine). */
const containers: ProviderCase = {
  name: 'testcontainers',
  images: `\nimages: { postgres: ${IMAGE}, pgbouncer: ${IMAGE}, pgbench: ${IMAGE} }`,
  load: async () => {
    if (!process.env.DOCKER_HOST && existsSync('/tmp/dockerd/docker.sock')) {
      process.env.DOCKER_HOST = 'unix:///tmp/dockerd/docker.sock';
    }
    const mod = await import('../../src/stack/testcontainers.js');
    const engine = await mod.dockerEngine();
    return engine.ok ? mod.testcontainersProvider : `no Docker engine answers (${engine.reason})`;
  },
};

async function pgbench(s: Stack, ep: Endpoint, args: string[], cwd: string): Promise<string> {
  const r = await s.pgbench.run({
    args: ['-h', ep.host, '-p', String(ep.port), '-U', ep.user, ...args, ep.database],
    cwd,
    env: pgbenchEnv(ep),
    timeoutMs: 30_000,
  });
  if (r.exitCode !== 0) throw new Error(`pgbench ${args.join(' ')} exited ${r.exitCode}: ${r.stderr}`);
  return r.stdout;
}

/**
 * Samples while pgbench runs, as the runner does (the config's role, the measured duration); the
 * summary window is pgbench's own run.
 */
async function sampledRun(
  s: Stack,
  p: ConfigPath,
  clients: number,
  seconds: number,
  cellDir: string,
  role: string,
) {
  const session = await startSampling({
    postgres: s.postgres,
    database: s.postgres.database,
    ...(p.pgbouncerAdmin ? { pgbouncerAdmin: p.pgbouncerAdmin } : {}),
    components: [s.postgresComponent, ...p.components],
    intervalMs: 500,
    durationMs: seconds * 1000,
    role,
    clients,
    cellDir,
  });
  const fromMs = Date.now();
  const out = await pgbench(
    s,
    p.endpoint,
    ['-S', '-c', String(clients), '-j', '2', '-T', String(seconds), '-n'],
    cellDir,
  );
  const summary = await session.stop({ fromMs, toMs: Date.now() });
  const text = await readFile(session.file, 'utf8');
  const lines = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Sample);
  return { summary, lines, out, text };
}

function suite(pc: ProviderCase): void {
  describe(`sampling on a real stack (${pc.name})`, () => {
    let dir: string;
    let stack: Stack | undefined;
    let skip: string | undefined;
    let roles = new Map<string, string>();
    beforeAll(async () => {
      dir = tempDir('bench-sampling-it-');
      // mkdtemp makes it 0700; the stack's unprivileged user must reach its workdir inside.
      await chmod(dir, 0o755);
      const provider = await pc.load();
      if (typeof provider === 'string') {
        // CI sets BENCH_REQUIRE_DOCKER=1: there a missing engine is a failure, not a skip.
        if (process.env.BENCH_REQUIRE_DOCKER === '1') throw new Error(`${pc.name} unavailable: ${provider}`);
        skip = provider;
        console.warn(`SKIPPED sampling on ${pc.name}: ${skip}`);
        return;
      }
      const matrix = parseMatrix(matrixText(pc.images), path.join(dir, 'matrix.yaml'));
      roles = configRoles(matrix.spec.configs);
      stack = await provider.start({ matrix, workdir: path.join(dir, 'stack'), log: () => {} });
      // The runner keeps one path up at a time; this test drives both at once, by hand.
      for (const c of matrix.spec.configs) await stack.startPath(c.name);
      await stack.pgbench.run({
        args: initArgv(stack.postgres, 1),
        cwd: dir,
        env: pgbenchEnv(stack.postgres),
        timeoutMs: 60_000,
      });
    });

    afterAll(async () => {
      await stack?.stop();
      await rm(dir, { recursive: true, force: true });
    });

    it('through PgBouncer (transaction, pool 5, 20 clients): at most 5 server backends, clients waiting', async (ctx) => {
      if (skip !== undefined) ctx.skip(skip);
      const s = stack as Stack;
      const p = s.paths.get('pgb') as ConfigPath;
      const role = roles.get('pgb') as string;
      const { summary, lines, text } = await sampledRun(s, p, 20, 4, path.join(dir, 'pgb'), role);
      expect(text).not.toContain(s.postgres.password);
      expect(summary.postgres?.role).toBe(role);

      const activity = lines.filter((l) => l.kind === 'pg_activity' && !('gap' in l));
      expect(activity.length).toBeGreaterThanOrEqual(6);
      expect(summary.gaps).toBe(0);
      expect(summary.postgres?.serverBackendsPeak).toBeGreaterThan(0);
      expect(summary.postgres?.serverBackendsPeak).toBeLessThanOrEqual(5);
      expect(summary.postgres?.maxConnections).toBeGreaterThanOrEqual(100);
      expect(summary.multiplexing).toBeGreaterThanOrEqual(4);

      expect(summary.pgbouncer?.clWaitingPeak).toBeGreaterThan(0);
      expect(summary.pgbouncer?.clActivePeak).toBeGreaterThan(0);
      expect(summary.pgbouncer?.serverConnectionsPeak).toBeLessThanOrEqual(5);
      expect(summary.pgbouncer?.xacts).toBeGreaterThan(1000);

      const pg = summary.components.postgres;
      const bouncer = summary.components['pgbouncer:pgb'];
      expect(pg?.rssPeakBytes).toBeGreaterThan(0);
      expect(pg?.cpuCoresMean).toBeGreaterThan(0);
      // Postmaster, its auxiliary processes and at most 5 pooled backends.
      expect(pg?.processesPeak).toBeLessThanOrEqual(5 + 8);
      expect(bouncer?.rssPeakBytes).toBeGreaterThan(0);
      expect(bouncer?.cpuCoresMean).toBeGreaterThan(0);
      expect(bouncer?.processesPeak).toBe(1);

      // PSS: read at least 3 times for every component inside a 4 s window (durationMs / 3).
      for (const key of ['postgres', 'pgbouncer:pgb']) {
        const withPss = lines.filter(
          (l) => l.kind === 'proc' && !('gap' in l) && l.component === key && l.pssBytes,
        );
        expect(withPss.length, key).toBeGreaterThanOrEqual(3);
        expect(summary.components[key]?.pssSamples, key).toBeGreaterThanOrEqual(3);
      }
      // Shared pages counted once in PSS, once per process in the RSS sum.
      expect(pg?.pssPeakBytes).toBeGreaterThan(0);
      expect(pg?.pssPeakBytes).toBeLessThan(pg?.rssPeakBytes ?? 0);
      expect(bouncer?.pssPeakBytes).toBeGreaterThan(0);
      // PostgreSQL PSS over at most 5 backends: at least a fifth of its PSS per backend.
      expect(summary.postgres?.pssPerBackendBytes).toBeGreaterThanOrEqual((pg?.pssMeanBytes ?? 0) / 5 / 2);
      expect(summary.postgres?.pssPerBackendSamples).toBeGreaterThanOrEqual(3);
    });

    it('direct at 20 clients: 20 server backends at peak', async (ctx) => {
      if (skip !== undefined) ctx.skip(skip);
      const s = stack as Stack;
      const p = s.paths.get('direct') as ConfigPath;
      // The pooled config's PgBouncer keeps its idle server connections to the same database
      // (server_idle_timeout); they are real backends and would count here. Drop them first.
      const admin = (s.paths.get('pgb') as ConfigPath).pgbouncerAdmin as Endpoint;
      const c = new pg.Client({ ...admin, ssl: false });
      await c.connect();
      await c.query(`KILL ${s.postgres.database}`);
      await c.query(`RESUME ${s.postgres.database}`);
      await c.end();
      // Three idle sessions of another role on the benchmark database: they are not the direct
      // config's backends, so they must show as foreign, not as server backends.
      const other = 'bench_it_other';
      const su = new pg.Client({ ...s.postgres, ssl: false });
      await su.connect();
      await su.query(`DROP ROLE IF EXISTS ${other}`);
      await su.query(`CREATE ROLE ${other} LOGIN PASSWORD '${s.postgres.password?.replaceAll("'", "''")}'`);
      await su.end();
      const strays = Array.from(
        { length: 3 },
        () => new pg.Client({ ...s.postgres, user: other, ssl: false }),
      );
      await Promise.all(strays.map((x) => x.connect()));
      let run: Awaited<ReturnType<typeof sampledRun>>;
      try {
        run = await sampledRun(s, p, 20, 3, path.join(dir, 'direct'), roles.get('direct') as string);
      } finally {
        await Promise.all(strays.map((x) => x.end()));
      }
      const { summary, lines } = run;
      expect(summary.gaps).toBe(0);
      expect(summary.postgres?.serverBackendsPeak).toBe(20);
      expect(summary.postgres?.databaseBackendsPeak).toBeGreaterThanOrEqual(23);
      expect(summary.postgres?.foreignBackendsPeak).toBeGreaterThanOrEqual(3);
      const last = lines.filter((l) => l.kind === 'pg_activity' && !('gap' in l)).at(-1);
      expect(last && 'databaseByUser' in last ? last.databaseByUser?.[other]?.total : undefined).toBe(3);
      // A 3 s cell at 500 ms still gets 3 PSS readings of PostgreSQL inside pgbench's run.
      expect(summary.components.postgres?.pssSamples).toBeGreaterThanOrEqual(3);
      expect(summary.multiplexing).toBe(1);
      expect(summary.pgbouncer).toBeUndefined();
      expect(summary.components.postgres?.processesPeak).toBeGreaterThanOrEqual(21);
      expect(summary.components.postgres?.cpuCoresMean).toBeGreaterThan(0);
    });
  });
}

suite(native);
suite(containers);
