import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ContainerRuntimeClient } from 'testcontainers';
import { StackError } from '../errors.js';
import { type ConfigSpec, needsPgbouncer, type PgbouncerHop, pgbouncerHopOf } from '../matrix/schema.js';
import { containerPgbench } from '../pgbench/container-runner.js';
import { localPgbench } from '../pgbench/local-runner.js';
import { registerSecret } from '../util/redact.js';
import { binaryVersion, findPgbench } from './binaries.js';
import { type ContainerComponent, startComponentContainer } from './container-component.js';
import {
  type ImageFacts,
  imageFacts,
  LABEL_RUN,
  listLabelled,
  removeContainer,
  runtimeClient,
} from './container-engine.js';
import {
  applyImageOverrides,
  bareInitScript,
  type ImageSet,
  postgresImageMode,
  postgresSettingArgs,
} from './container-images.js';
import { pingDocker } from './docker-engine.js';
import { pathLifecycle } from './lifecycle.js';
import { BENCH_DB, BENCH_USER } from './native.js';
import { pickPort, releasePort } from './ports.js';
import { withClient } from './ready.js';
import {
  maxConcurrency,
  postgresMaxConnections,
  renderPgbouncerIni,
  renderProxyCommand,
  renderProxyFiles,
  renderUserlist,
} from './render.js';
import { configRoles, createConfigRoles } from './roles.js';
import type {
  Component,
  ConfigPath,
  Endpoint,
  PgbenchRunner,
  Provider,
  Stack,
  StartOptions,
} from './types.js';

export const dockerEngine = pingDocker;
export { applyImageOverrides, parseImageFlags } from './container-images.js';

/** Inside the containers: configs and secrets, copied in before start (never bind-mounted). */
const CONF_DIR = '/tmp/bench';
const BARE_PGDATA = '/tmp/pgdata';
/** {workdir} of a proxy container: its `files:` are copied here before it starts. */
const PROXY_WORKDIR = '/tmp';
/** Docker's default /dev/shm is 64 MiB; PostgreSQL's dynamic shared memory (parallel query) lives there. */
const POSTGRES_SHM_BYTES = 1024 * 1024 * 1024;

type Spec = StartOptions['matrix']['spec'];

function firstVersion(text: string): string {
  return /(\d+\.\d+(?:\.\d+)?)/.exec(text)?.[1] ?? text.trim();
}

/** `1.24.1` >= [1, 23]; an unparsable version is not. */
export function versionAtLeast(version: string, min: number[]): boolean {
  const parts = version.split('.').map((p) => Number.parseInt(p, 10));
  for (const [i, m] of min.entries()) {
    const v = parts[i];
    if (v === undefined || Number.isNaN(v)) return false;
    if (v !== m) return v > m;
  }
  return true;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StackError('interrupted while starting the container stack');
}

/**
 * The label value that marks this run's containers. The runner names its scratch directory
 * `bench-<run-id>-XXXXXX`, which is unique and carries the run id; a caller may pass `runId`.
 */
function runLabelOf(opts: StartOptions): string {
  const explicit = opts.runId;
  if (explicit) return explicit;
  const base = path.basename(opts.workdir);
  return base !== '' ? base : `bench-${randomBytes(6).toString('hex')}`;
}

/** Only host networking is implemented: anything else is refused before a container starts. */
function checkNetwork(spec: Spec, log: (m: string) => void): void {
  const requested = (spec as Spec & { network?: unknown }).network ?? process.env.BENCH_DOCKER_NETWORK;
  if (requested !== undefined && requested !== 'host') {
    throw new StackError(
      `network "${String(requested)}" is not supported on this machine: the container provider runs every ` +
        'component with host networking (no Docker port proxy in the measured path, loopback only); ' +
        'bridge mode with published ports is not implemented',
    );
  }
  if (process.platform !== 'linux') {
    log(
      `warning: host networking is a Linux feature; on ${process.platform} (Docker Desktop) it may not reach 127.0.0.1`,
    );
  }
}

interface Ctx {
  client: ContainerRuntimeClient;
  spec: Spec;
  runLabel: string;
  /** The SCRAM verifier of the bench user (pg_authid), for PgBouncer's auth_file (admin console). */
  secret: string;
  /** Each config role's SCRAM verifier, by role. */
  verifiers: Map<string, string>;
  roles: Map<string, string>;
  postgres: Endpoint;
  /** Proxy `files:` paths are relative to the matrix file. */
  matrixDir: string;
  images: Record<string, ImageFacts>;
  log: (m: string) => void;
  signal: AbortSignal | undefined;
  pgbouncerVersions: Map<string, string>;
}

/** The stack as containers (Testcontainers), host networking, every listener on 127.0.0.1. */
export const testcontainersProvider: Provider = {
  name: 'testcontainers',
  async start(opts: StartOptions): Promise<Stack> {
    const { matrix, log, signal } = opts;
    const spec = matrix.spec;
    checkNetwork(spec, log);
    const engine = await dockerEngine();
    if (!engine.ok) {
      throw new StackError(
        `no Docker engine answers (${engine.reason}); start one (scripts/start-dockerd.sh) or use --provider native`,
      );
    }
    const client = await runtimeClient(log);
    const runLabel = runLabelOf(opts);
    const password = randomBytes(18).toString('base64url');
    registerSecret(password);
    const needPgbouncer = needsPgbouncer(spec.configs);
    const images = applyImageOverrides(spec.images);
    const started: Component[] = [];
    const facts: Record<string, ImageFacts> = {};
    let stopping: Promise<void> | undefined;
    const stopAll = (): Promise<void> => {
      stopping ??= (async () => {
        // Client side first, PostgreSQL last, so poolers do not log a storm of server disconnects.
        for (const c of [...started].reverse()) await c.stop().catch(() => undefined);
        started.length = 0;
        // Whatever a failure or an interrupt left between create and track: found by label.
        for (const c of await listLabelled(client, LABEL_RUN, runLabel).catch(() => [])) {
          await removeContainer(client, c.id).catch(() => undefined);
        }
      })();
      return stopping;
    };
    const t0 = Date.now();
    const details: Record<string, unknown> = {};
    let containers = (): unknown[] => [];
    try {
      const [pgImage, bouncerImage] = await Promise.all([
        imageFacts(client, images.postgres),
        needPgbouncer ? imageFacts(client, images.pgbouncer) : Promise.resolve(undefined),
      ]);
      facts.postgres = pgImage;
      if (bouncerImage) facts.pgbouncer = bouncerImage;
      for (const c of spec.configs) {
        if (c.kind === 'proxy' && c.image) facts[`proxy:${c.name}`] = await imageFacts(client, c.image);
      }
      throwIfAborted(signal);

      const pg = await startPostgres({ client, spec, runLabel, password, image: pgImage, log, signal });
      started.push(pg.component);
      log(
        `postgres ${pg.component.version} (${pgImage.ref}, ${pg.mode} image) ready on 127.0.0.1:${pg.endpoint.port} ` +
          `in ${Date.now() - t0} ms (container ${pg.component.containerId.slice(0, 12)}, host pid ${pg.component.pid})`,
      );
      throwIfAborted(signal);

      const roles = configRoles(spec.configs);
      const verifiers = await withClient(pg.endpoint, (c) =>
        createConfigRoles((sql, params) => c.query(sql, params), roles, password),
      );
      for (const v of verifiers.values()) registerSecret(v);
      const ctx: Ctx = {
        client,
        spec,
        runLabel,
        secret: pg.secret,
        verifiers,
        roles,
        postgres: pg.endpoint,
        matrixDir: path.dirname(matrix.file),
        images: facts,
        log,
        signal,
        pgbouncerVersions: new Map(),
      };
      const versions: Record<string, string> = {};
      const pathFor = async (c: ConfigSpec): Promise<ConfigPath> => {
        const p = await startPath(c, ctx, (comp) => started.push(comp));
        details.containers = containers();
        // PgBouncer's version is read from its first running container: the stack's versions
        // object is live, and the runner copies it into run.json after each path start.
        const bouncerVersion = [...ctx.pgbouncerVersions.values()][0];
        if (bouncerVersion) versions.pgbouncer = bouncerVersion;
        return p;
      };
      const lifecycle = pathLifecycle(spec.configs, started, pathFor);

      const bench = await pgbenchRunner(client, images, runLabel, log);
      throwIfAborted(signal);
      if (bench.facts) facts.pgbench = bench.facts;
      versions.postgres = pg.component.version ?? 'unknown';
      versions.pgbench = bench.runner.version;

      containers = () =>
        started.map((c) => ({
          role: c.role,
          ...(c.config ? { config: c.config } : {}),
          id: c.containerId,
          image: c.image,
          hostPid: c.pid,
          port: c.port,
        }));
      Object.assign(details, {
        network: 'host',
        networkNote:
          'host networking: every component listens on 127.0.0.1; no Docker port proxy in the path',
        runLabel,
        engine: engine.reason,
        images: Object.fromEntries(
          Object.entries(facts).map(([role, f]) => [
            role,
            { ref: f.ref, id: f.id, ...(f.digest ? { digest: f.digest } : {}) },
          ]),
        ),
        postgresImageMode: pg.mode,
        pgbench: bench.where,
        containers: containers(),
        startupMs: Date.now() - t0,
      });
      return {
        provider: 'testcontainers',
        postgres: pg.endpoint,
        postgresComponent: pg.component,
        paths: lifecycle.paths,
        roles,
        pgbench: bench.runner,
        versions,
        details,
        startPath: lifecycle.startPath,
        async stopPath(config: string) {
          await lifecycle.stopPath(config);
          details.containers = containers();
        },
        restartPath: lifecycle.restartPath,
        stop: stopAll,
      };
    } catch (e) {
      await stopAll();
      throw e;
    }
  },
};

interface PostgresStart {
  client: ContainerRuntimeClient;
  spec: Spec;
  runLabel: string;
  password: string;
  image: ImageFacts;
  log: (m: string) => void;
  signal: AbortSignal | undefined;
}

async function startPostgres(
  s: PostgresStart,
): Promise<{ endpoint: Endpoint; component: ContainerComponent; mode: 'official' | 'bare'; secret: string }> {
  const mode = postgresImageMode(s.image.entrypoint);
  const port = s.spec.postgres.port ?? (await pickPort());
  const pwfile = `${CONF_DIR}/pwfile`;
  const settings: Record<string, string | number | boolean> = {
    listen_addresses: '127.0.0.1',
    port,
    max_connections: postgresMaxConnections(s.spec.concurrency, s.spec.configs),
    ...(mode === 'bare' ? { unix_socket_directories: '/tmp' } : {}),
    ...s.spec.postgres.settings,
  };
  const args = postgresSettingArgs(settings);
  const ready: Endpoint = {
    host: '127.0.0.1',
    port,
    database: 'postgres',
    user: BENCH_USER,
    password: s.password,
  };
  // The password file is world-readable inside the container because the copy is owned by root
  // and the server runs as `postgres`; it never leaves the container's writable layer.
  const files = [{ content: `${s.password}\n`, target: pwfile, mode: 0o644 }];
  const common = {
    client: s.client,
    role: 'postgres' as const,
    image: s.image,
    runLabel: s.runLabel,
    port,
    files,
    shmBytes: POSTGRES_SHM_BYTES,
    ready,
    readyTimeoutMs: 120_000,
    stopTimeoutMs: 15_000,
    // SIGINT is PostgreSQL's fast shutdown (the official image's STOPSIGNAL too); `docker stop`
    // on an imported image sends SIGTERM, the "smart" one that waits for every client.
    stopSignal: 'SIGINT',
    ...(s.signal ? { signal: s.signal } : {}),
  };
  let component: ContainerComponent;
  try {
    component =
      mode === 'official'
        ? await startComponentContainer({
            ...common,
            command: ['postgres', ...args],
            env: {
              POSTGRES_USER: BENCH_USER,
              POSTGRES_DB: BENCH_DB,
              // _FILE keeps the password out of `docker inspect`.
              POSTGRES_PASSWORD_FILE: pwfile,
              POSTGRES_INITDB_ARGS: `--auth-host=${s.spec.auth} --auth-local=trust -E UTF8 --locale=C --no-sync`,
              // The entrypoint appends `host all all all <method>` to pg_hba.conf.
              POSTGRES_HOST_AUTH_METHOD: s.spec.auth,
              // The entrypoint's temporary init server (socket only) and its psql use PGPORT.
              PGPORT: String(port),
            },
            // The entrypoint's temporary server prints the line too, then the real one.
            logMessage: { re: /database system is ready to accept connections/, times: 2 },
          })
        : await startComponentContainer({
            ...common,
            entrypoint: ['sh'],
            command: [
              '-c',
              bareInitScript({ dataDir: BARE_PGDATA, user: BENCH_USER, pwfile, auth: s.spec.auth, args }),
            ],
            // initdb and postgres refuse to run as root.
            user: 'postgres',
            logMessage: { re: /database system is ready to accept connections/, times: 1 },
          });
  } catch (e) {
    releasePort(port);
    throw e;
  }
  let secret: string;
  try {
    const facts = await withClient(ready, async (c) => {
      // The version the running server reports, not the image tag.
      const v = await c.query<{ server_version: string }>('SHOW server_version');
      // The official entrypoint created it from POSTGRES_DB; a bare image has only `postgres`.
      const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [BENCH_DB]);
      if (exists.rowCount === 0) await c.query(`CREATE DATABASE ${BENCH_DB}`);
      const r = await c.query<{ rolpassword: string | null }>(
        'SELECT rolpassword FROM pg_authid WHERE rolname = $1',
        [BENCH_USER],
      );
      return { version: v.rows[0]?.server_version ?? 'unknown', secret: r.rows[0]?.rolpassword ?? '' };
    });
    component.version = firstVersion(facts.version);
    secret = facts.secret;
    registerSecret(secret);
  } catch (e) {
    await component.stop();
    throw new StackError(
      `postgres in ${s.image.ref} answered but could not be prepared: ${(e as Error).message}`,
    );
  }
  return { endpoint: { ...ready, database: BENCH_DB }, component, mode, secret };
}

async function startPath(c: ConfigSpec, ctx: Ctx, onStarted: (comp: Component) => void): Promise<ConfigPath> {
  const role = ctx.roles.get(c.name) ?? BENCH_USER;
  const asRole: Endpoint = { ...ctx.postgres, user: role };
  if (c.kind === 'direct') return { config: c.name, endpoint: asRole, components: [] };
  const components: Component[] = [];
  const add = (comp: Component) => {
    components.unshift(comp);
    onStarted(comp);
  };
  let upstream = asRole;
  let admin: Endpoint | undefined;
  const hop = pgbouncerHopOf(c);
  if (hop) {
    const b = await startPgbouncer(c.name, hop, ctx, asRole, c.kind === 'pgbouncer' ? c.port : undefined);
    add(b.component);
    upstream = b.endpoint;
    admin = { ...b.endpoint, database: 'pgbouncer', user: BENCH_USER };
  }
  if (c.kind === 'proxy') {
    const p = await startProxy(c, upstream, ctx);
    add(p.component);
    upstream = p.endpoint;
  }
  return { config: c.name, endpoint: upstream, components, ...(admin ? { pgbouncerAdmin: admin } : {}) };
}

/** A non-root user for a server image: the image's own, else `postgres` (pgbouncer refuses root). */
function serverUser(image: ImageFacts): string {
  const u = image.user.trim();
  return u === '' || u === 'root' || u === '0' || u.startsWith('0:') ? 'postgres' : u;
}

async function startPgbouncer(
  config: string,
  hop: PgbouncerHop,
  ctx: Ctx,
  asRole: Endpoint,
  fixedPort: number | undefined,
): Promise<{ endpoint: Endpoint; component: ContainerComponent }> {
  const image = ctx.images.pgbouncer;
  if (!image) throw new StackError('internal: no pgbouncer image resolved');
  const port = fixedPort ?? (await pickPort());
  const authFile = `${CONF_DIR}/userlist.txt`;
  const iniFile = `${CONF_DIR}/pgbouncer.ini`;
  const ini = renderPgbouncerIni({
    hop,
    listenPort: port,
    upstreamHost: ctx.postgres.host,
    upstreamPort: ctx.postgres.port,
    database: BENCH_DB,
    user: BENCH_USER,
    authFile,
    authType: ctx.spec.auth,
    socketDir: '/tmp',
    minClientConn: maxConcurrency(ctx.spec.concurrency),
  });
  const endpoint: Endpoint = { ...asRole, port };
  let component: ContainerComponent;
  try {
    component = await startComponentContainer({
      client: ctx.client,
      role: 'pgbouncer',
      config,
      image,
      runLabel: ctx.runLabel,
      port,
      // The binary itself, in the foreground, with our config: image entrypoints (edoburu's writes
      // a config from environment variables) are bypassed, and the container's main process is
      // pgbouncer, whose host PID the sampler walks.
      entrypoint: ['pgbouncer'],
      command: [iniFile],
      user: serverUser(image),
      files: [
        { content: ini, target: iniFile, mode: 0o644 },
        // The SCRAM verifier, never the clear password: PgBouncer then passes the client's keys on
        // instead of deriving them for every connection (what the native provider does too).
        {
          content: renderUserlist([
            [BENCH_USER, ctx.secret],
            [asRole.user, ctx.verifiers.get(asRole.user) ?? ''],
          ]),
          target: authFile,
          mode: 0o644,
        },
      ],
      logMessage: { re: /process up/, times: 1 },
      ready: endpoint,
      readyTimeoutMs: 60_000,
      // SIGTERM (docker stop's default) is pgbouncer's immediate shutdown.
      stopTimeoutMs: 5_000,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } catch (e) {
    releasePort(port);
    throw e;
  }
  let version = ctx.pgbouncerVersions.get(image.ref);
  if (version === undefined) {
    const r = await component.exec(['pgbouncer', '--version']);
    version = r.exitCode === 0 ? firstVersion(r.output.split('\n')[0] ?? '') : 'unknown';
    ctx.pgbouncerVersions.set(image.ref, version);
  }
  component.version = version;
  // PgBouncer >= 1.23 made SIGTERM a "super safe" shutdown that waits for every client, and
  // SIGQUIT the immediate one; older versions exit at once on SIGTERM (docker stop's signal)
  // and do not handle SIGQUIT, which PID 1 in a container then ignores.
  if (versionAtLeast(version, [1, 23])) component.stopSignal = 'SIGQUIT';
  ctx.log(
    `pgbouncer ${version} for ${config} ready on 127.0.0.1:${port} (${hop.pool_mode}, pool ${hop.default_pool_size}; ` +
      `container ${component.containerId.slice(0, 12)}, host pid ${component.pid})`,
  );
  return { endpoint, component };
}

async function startProxy(
  c: Extract<ConfigSpec, { kind: 'proxy' }>,
  upstream: Endpoint,
  ctx: Ctx,
): Promise<{ endpoint: Endpoint; component: ContainerComponent }> {
  const image = ctx.images[`proxy:${c.name}`];
  if (!c.image || !image) {
    throw new StackError(
      `config "${c.name}": the testcontainers provider needs a proxy "image" (only a command was given)`,
    );
  }
  const port = c.port ?? (await pickPort());
  const values = {
    port,
    host: '127.0.0.1',
    upstream_host: upstream.host,
    upstream_port: upstream.port,
    database: BENCH_DB,
    user: upstream.user,
    workdir: PROXY_WORKDIR,
  };
  // The command is the container's CMD (the image's entrypoint, usually the proxy binary, stays).
  const command = c.command ? renderProxyCommand(c.command, values) : undefined;
  const files = renderProxyFiles(c.files, values, (rel) =>
    readFileSync(path.resolve(ctx.matrixDir, rel), 'utf8'),
  ).map((f) => ({ content: f.content, target: `${PROXY_WORKDIR}/${f.name}`, mode: 0o644 }));
  const endpoint: Endpoint = { ...upstream, port };
  let component: ContainerComponent;
  try {
    component = await startComponentContainer({
      client: ctx.client,
      role: 'proxy',
      config: c.name,
      image,
      runLabel: ctx.runLabel,
      port,
      ...(command ? { command } : {}),
      ...(files.length > 0 ? { files } : {}),
      env: c.env,
      ready: endpoint,
      readyTimeoutMs: c.ready_timeout,
      stopTimeoutMs: 5_000,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } catch (e) {
    releasePort(port);
    throw e;
  }
  ctx.log(`proxy ${c.name} (${c.image}) ready on 127.0.0.1:${port}`);
  return { endpoint, component };
}

/**
 * pgbench on the host when one exists (no container start per cell), else in containers from the
 * pgbench image. BENCH_PGBENCH=container forces the container path, =host the host one.
 */
async function pgbenchRunner(
  client: ContainerRuntimeClient,
  images: ImageSet,
  runLabel: string,
  log: (m: string) => void,
): Promise<{ runner: PgbenchRunner; where: string; facts?: ImageFacts }> {
  const force = process.env.BENCH_PGBENCH;
  if (force !== undefined && force !== '' && force !== 'host' && force !== 'container') {
    throw new StackError(`BENCH_PGBENCH must be "host" or "container", got "${force}"`);
  }
  const host = force === 'container' ? undefined : findPgbench();
  if (host) {
    const version = await binaryVersion(host);
    log(`pgbench ${version} on the host (${host})`);
    return { runner: localPgbench(host, version), where: `host ${host}` };
  }
  if (force === 'host') throw new StackError('BENCH_PGBENCH=host but no pgbench was found on this host');
  const facts = await imageFacts(client, images.pgbench);
  const runner = await containerPgbench({ client, image: images.pgbench, runLabel });
  log(
    `pgbench ${runner.version} in containers from ${images.pgbench}` +
      `${force === 'container' ? ' (BENCH_PGBENCH=container)' : ' (no pgbench on this host)'}`,
  );
  return { runner, where: `container ${images.pgbench}`, facts };
}
