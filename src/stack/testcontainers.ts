import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ContainerRuntimeClient } from 'testcontainers';
import { ConfigurationError, StackError } from '../errors.js';
import { throwIssues } from '../matrix/axes.js';
import { restartsServer, unrestartableIssues } from '../matrix/event-issues.js';
import type { Matrix } from '../matrix/load.js';
import { type ConfigSpec, needsPgbouncer } from '../matrix/schema.js';
import { namedServer } from '../matrix/servers.js';
import { registerSecret } from '../util/redact.js';
import { parseVersion, versionAtLeast } from '../util/version.js';
import {
  BENCH_DB,
  BENCH_USER,
  initdbArgs,
  initdbOptions,
  postgresSettingArgs,
  postgresSettings,
  prepareCluster,
} from './cluster.js';
import {
  type ComponentContainerSpec,
  type ContainerComponent,
  startComponentContainer,
} from './container-component.js';
import {
  type ImageFacts,
  imageFacts,
  LABEL_STACK,
  listLabelled,
  removeContainer,
  runtimeClient,
} from './container-engine.js';
import {
  applyImageOverrides,
  bareInitScript,
  type ImageSet,
  type PostgresImageMode,
  postgresImageMode,
} from './container-images.js';
import type { OwnedFiles } from './container-owned-files.js';
import { pgbenchForContainers } from './container-pgbench.js';
import { containerPgbouncerOps } from './container-pgbouncer.js';
import { containerPostgresOps, restartableInitScript } from './container-postgres.js';
import { pingDocker } from './docker-engine.js';
import { startFaultRelay } from './fault-relay.js';
import { checkImages, imagesToCheck } from './image-preflight.js';
import { imageToolVersion } from './image-version.js';
import { pathLifecycle } from './lifecycle.js';
import {
  type ComponentStarter,
  type PgbouncerLaunch,
  type ProxyLaunch,
  preparePaths,
  type StandbyLaunch,
  startConfigPath,
  where,
} from './path.js';
import { pickPort, releasePort } from './ports.js';
import { waitForStreaming } from './standby.js';
import { containerTls, pgbouncerTlsFiles, postgresTlsFiles } from './tls-containers.js';
import type { StackTls } from './tls-stack.js';
import type { Component, ConfigPath, Endpoint, PostgresOps, Provider, Stack, StartOptions } from './types.js';

export const dockerEngine = pingDocker;

/** Inside the containers: configs and secrets, copied in before start (never bind-mounted). */
const CONF_DIR = '/tmp/bench';
const BARE_PGDATA = '/tmp/pgdata';
/** {workdir} of a proxy container: its `files:` are copied here before it starts. */
const PROXY_WORKDIR = '/tmp';
/** Docker's default /dev/shm is 64 MiB; PostgreSQL's dynamic shared memory (parallel query) lives there. */
const POSTGRES_SHM_BYTES = 1024 * 1024 * 1024;

type Spec = StartOptions['matrix']['spec'];

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

/** Every image the run may start, resolved once (id, digest, entrypoint, user) for run.json. */
async function resolveImages(
  client: ContainerRuntimeClient,
  spec: Spec,
  images: ImageSet,
): Promise<{ postgres: ImageFacts } & Record<string, ImageFacts>> {
  const [pgImage, bouncerImage] = await Promise.all([
    imageFacts(client, images.postgres),
    needsPgbouncer(spec.configs) ? imageFacts(client, images.pgbouncer) : Promise.resolve(undefined),
  ]);
  const facts: { postgres: ImageFacts } & Record<string, ImageFacts> = { postgres: pgImage };
  if (bouncerImage) facts.pgbouncer = bouncerImage;
  for (const c of spec.configs) {
    const own = configPgbouncerImage(c);
    if (own) facts[`pgbouncer:${c.name}`] = await imageFacts(client, own);
    if (c.kind === 'proxy' && c.image) facts[`proxy:${c.name}`] = await imageFacts(client, c.image);
  }
  return facts;
}

/**
 * Stops what `started` holds, then whatever a failure or an interrupt left between create and
 * track: by this stack's own label, so another server of the run is left alone.
 */
function containerStopper(
  client: ContainerRuntimeClient,
  stackLabel: string,
  started: Component[],
): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      // Client side first, PostgreSQL last, so poolers do not log a storm of server disconnects.
      for (const c of [...started].reverse()) await c.stop().catch(() => undefined);
      started.length = 0;
      // Found by label: what was created but never tracked.
      for (const c of await listLabelled(client, LABEL_STACK, stackLabel).catch(() => [])) {
        await removeContainer(client, c.id).catch(() => undefined);
      }
    })();
    return stopping;
  };
}

const networkFacts = {
  network: 'host',
  networkNote: 'host networking: every component listens on 127.0.0.1; no Docker port proxy in the path',
};

/** run.json's facts of what one stack started from: images, PostgreSQL image mode, pgbench, TLS. */
function startFacts(
  facts: Record<string, ImageFacts>,
  mode: PostgresImageMode,
  pgbench: string,
  tls: StackTls,
): Record<string, unknown> {
  return {
    images: Object.fromEntries(Object.entries(facts).map(([role, f]) => [role, imageRecord(f)])),
    postgresImageMode: mode,
    pgbench,
    ...(tls.record ? { tls: tls.record } : {}),
  };
}

/** An image as run.json records it. */
function imageRecord(f: ImageFacts): { ref: string; id: string; digest?: string } {
  return { ref: f.ref, id: f.id, ...(f.digest ? { digest: f.digest } : {}) };
}

/** A running component as run.json's details.containers lists it. */
function containerFacts(c: Component): Record<string, unknown> {
  return {
    role: c.role,
    ...(c.config ? { config: c.config } : {}),
    id: c.containerId,
    image: c.image,
    hostPid: c.pid,
    port: c.port,
  };
}

/** The Docker engine, or an error that says how to get one. */
async function connectEngine(
  log: (m: string) => void,
): Promise<{ engine: { reason: string }; client: ContainerRuntimeClient }> {
  const engine = await dockerEngine();
  if (!engine.ok) {
    throw new StackError(
      `no Docker engine answers (${engine.reason}); start one (scripts/start-dockerd.sh) or use --provider native`,
    );
  }
  return { engine, client: await runtimeClient(log) };
}

/** PgBouncer versions asked before a run, by image: configs sharing an image ask once. */
const askedVersions = new Map<string, string | undefined>();

/** A config's own PgBouncer image (`images: { pgbouncer }` on it), if it names one. */
function configPgbouncerImage(c: ConfigSpec): string | undefined {
  return c.kind === 'pgbouncer' || c.kind === 'proxy' ? c.images?.pgbouncer : undefined;
}

/** The PostgreSQL image one stack's configs name (they all name the same one, or none). */
function serverImage(configs: readonly ConfigSpec[], runDefault: string): { postgres?: string } {
  const named = new Set(configs.map((c) => namedServer(c, 'testcontainers', runDefault)));
  if (named.size > 1)
    throw new StackError(`internal: one container stack for ${named.size} PostgreSQL servers`);
  const [image] = [...named];
  return image === undefined ? {} : { postgres: image };
}

/** The stack as containers (Testcontainers), host networking, every listener on 127.0.0.1. */
export const testcontainersProvider: Provider = {
  name: 'testcontainers',
  async preflight(matrix) {
    const own = matrix.spec.configs.find((c) => c.kind !== 'external' && c.binaries);
    if (own) {
      throw new ConfigurationError(
        `${matrix.file}: config ${own.name}: binaries: expected the native provider (the testcontainers provider runs images: name the config's images: instead), got provider testcontainers`,
      );
    }
    // Every server's images before the first starts: a wrong name for a second server is refused
    // here, not after the first server is up with its data loaded. No engine: start says so.
    if (!(await dockerEngine()).ok) return;
    const uses = imagesToCheck(matrix.spec.configs, applyImageOverrides(matrix.spec.images));
    await checkImages(await runtimeClient(), matrix.file, uses);
    await refuseUnrestartable(matrix);
  },
  defaultServer: (matrix) => applyImageOverrides(matrix.spec.images).postgres,
  async pgbouncerVersion(matrix, config) {
    const c = matrix.spec.configs.find((x) => x.name === config);
    const image = (c && configPgbouncerImage(c)) ?? applyImageOverrides(matrix.spec.images).pgbouncer;
    let version = askedVersions.get(image);
    if (!askedVersions.has(image)) {
      version = await imageToolVersion(image, 'pgbouncer');
      askedVersions.set(image, version);
    }
    return { version, where: `image ${image}` };
  },
  async start(opts: StartOptions): Promise<Stack> {
    const { matrix, log, signal } = opts;
    const spec = matrix.spec;
    checkNetwork(spec, log);
    const { engine, client } = await connectEngine(log);
    const runLabel = runLabelOf(opts);
    const password = randomBytes(18).toString('base64url');
    registerSecret(password);
    // This stack's server: the image its configs name (src/matrix/servers.ts groups them), else the run's.
    const runImages = applyImageOverrides(spec.images);
    const images = { ...runImages, ...serverImage(spec.configs, runImages.postgres) };
    const started: Component[] = [];
    // Unique per stack: a run has one stack per PostgreSQL server, all under one run label.
    const stackLabel = `${runLabel}-${randomBytes(4).toString('hex')}`;
    const stopAll = containerStopper(client, stackLabel, started);
    const t0 = Date.now();
    try {
      const facts = await resolveImages(client, spec, images);
      throwIfAborted(signal);
      const tls = await containerTls(spec, opts.workdir, CONF_DIR);
      const pg = await startPostgres({
        tls,
        client,
        spec,
        runLabel,
        stackLabel,
        password,
        image: facts.postgres,
        log,
        signal,
      });
      started.push(pg.component);
      log(
        `postgres ${pg.component.version} (${facts.postgres.ref}, ${pg.mode} image) ready on ` +
          `127.0.0.1:${pg.endpoint.port} in ${Date.now() - t0} ms${where(pg.component)}`,
      );
      throwIfAborted(signal);

      const env = await preparePaths(pg.endpoint, matrix, password, pg.secret, log);
      if (tls.certs) env.caFile = tls.certs.file('caCert');
      // Live objects: the runner copies versions and details into run.json after each path start.
      const versions: Record<string, string> = {};
      const details: Record<string, unknown> = {};
      const containers = () => started.map(containerFacts);
      const { workdir } = opts;
      const labels = { runLabel, stackLabel };
      const starter = containerStarter({ client, ...labels, images: facts, versions, signal, tls, workdir });
      const lifecycle = pathLifecycle(spec.configs, started, async (c, onStarted, counting) => {
        // Refused before the run starts (src/runner/cost-preflight.ts); this is the last guard.
        if (counting) throw new StackError('cost cells run on the native provider only');
        const p = await startConfigPath(c, env, starter, onStarted);
        details.containers = containers();
        return p;
      });

      const bench = await pgbenchForContainers(client, images, labels, log);
      throwIfAborted(signal);
      if (bench.facts) facts.pgbench = bench.facts;
      versions.postgres = pg.component.version ?? 'unknown';
      versions.pgbench = bench.runner.version;
      Object.assign(details, {
        ...networkFacts,
        runLabel,
        stackLabel,
        engine: engine.reason,
        ...startFacts(facts, pg.mode, bench.where, tls),
        containers: containers(),
        startupMs: Date.now() - t0,
      });
      return {
        provider: 'testcontainers',
        postgres: pg.endpoint,
        postgresComponent: pg.component,
        paths: lifecycle.paths,
        roles: env.roles,
        pgbench: bench.runner,
        versions,
        details,
        startPath: lifecycle.startPath,
        async stopPath(config: string) {
          await lifecycle.stopPath(config);
          details.containers = containers();
        },
        restartPath: lifecycle.restartPath,
        ...containerOps(client, pg.ops, lifecycle.paths),
        stop: stopAll,
      };
    } catch (e) {
      await stopAll();
      throw e;
    }
  },
};

interface PostgresStart {
  tls: StackTls;
  client: ContainerRuntimeClient;
  spec: Spec;
  runLabel: string;
  stackLabel: string;
  password: string;
  image: ImageFacts;
  log: (m: string) => void;
  signal: AbortSignal | undefined;
}

/**
 * How each kind of image starts the cluster. `official`: its entrypoint runs initdb from POSTGRES_*
 * variables, then the server with our `-c` arguments. `bare`: initdb and postgres through `sh -c`.
 */
function postgresLaunch(
  mode: PostgresImageMode,
  auth: Spec['auth'],
  port: number,
  pwfile: string,
  args: string[],
  restartable: boolean,
): Pick<ComponentContainerSpec, 'entrypoint' | 'command' | 'env' | 'user' | 'logMessage'> {
  if (mode === 'official') {
    return {
      command: ['postgres', ...args],
      env: {
        POSTGRES_USER: BENCH_USER,
        POSTGRES_DB: BENCH_DB,
        // _FILE keeps the password out of `docker inspect`.
        POSTGRES_PASSWORD_FILE: pwfile,
        POSTGRES_INITDB_ARGS: initdbOptions(auth).join(' '),
        // The entrypoint appends `host all all all <method>` to pg_hba.conf.
        POSTGRES_HOST_AUTH_METHOD: auth,
        // The entrypoint's temporary init server (socket only) and its psql use PGPORT.
        PGPORT: String(port),
      },
      // The entrypoint's temporary server prints the line too, then the real one.
      logMessage: { re: /database system is ready to accept connections/, times: 2 },
    };
  }
  return {
    entrypoint: ['sh'],
    command: [
      '-c',
      restartable
        ? restartableInitScript(
            ['initdb', ...initdbArgs({ dataDir: BARE_PGDATA, user: BENCH_USER, pwfile, auth })],
            BARE_PGDATA,
            args,
          )
        : bareInitScript({ dataDir: BARE_PGDATA, user: BENCH_USER, pwfile, auth, args }),
    ],
    // initdb and postgres refuse to run as root.
    user: 'postgres',
    logMessage: { re: /database system is ready to accept connections/, times: 1 },
  };
}

async function startPostgres(s: PostgresStart): Promise<{
  endpoint: Endpoint;
  component: ContainerComponent;
  mode: 'official' | 'bare';
  secret: string;
  ops?: PostgresOps;
}> {
  const mode = postgresImageMode(s.image.entrypoint);
  // Only a bare image's server runs under bench's supervising script (an official image's
  // entrypoint makes the postmaster the container's main process: stopping it ends the container).
  const restartable = mode === 'bare' && restartsPostgres(s.spec);
  const port = s.spec.postgres.port ?? (await pickPort());
  const pwfile = `${CONF_DIR}/pwfile`;
  // A bare image's default socket directory (/var/run/postgresql) may not exist.
  const args = postgresSettingArgs({
    ...s.tls.postgres,
    ...postgresSettings(s.spec, port, mode === 'bare' ? '/tmp' : undefined),
  });
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
    stackLabel: s.stackLabel,
    port,
    files,
    ...postgresTlsFiles(s.tls),
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
    component = await startComponentContainer({
      ...common,
      ...postgresLaunch(mode, s.spec.auth, port, pwfile, args, restartable),
    });
  } catch (e) {
    releasePort(port);
    throw e;
  }
  try {
    const facts = await prepareCluster(ready);
    component.version = parseVersion(facts.version);
    registerSecret(facts.secret);
    const c = component;
    const ops = restartable
      ? containerPostgresOps(
          (cmd) => c.exec(cmd),
          ready,
          () => c.alive(),
        )
      : undefined;
    return {
      endpoint: { ...ready, database: BENCH_DB },
      component,
      mode,
      secret: facts.secret,
      ...(ops ? { ops } : {}),
    };
  } catch (e) {
    await component.stop();
    throw new StackError(
      `postgres in ${s.image.ref} answered but could not be prepared: ${(e as Error).message}`,
    );
  }
}

/** The operations events use on this stack: PostgreSQL's (when restartable) and pgbouncer.ini's. */
function containerOps(
  client: ContainerRuntimeClient,
  postgresOps: PostgresOps | undefined,
  paths: ReadonlyMap<string, ConfigPath>,
): Pick<Stack, 'postgresOps' | 'pgbouncerOps'> {
  return {
    ...(postgresOps ? { postgresOps } : {}),
    pgbouncerOps: containerPgbouncerOps(client, paths, `${CONF_DIR}/pgbouncer.ini`),
  };
}

/** Whether the run restarts, crashes or fails over PostgreSQL (its server must then outlive a postmaster). */
function restartsPostgres(spec: Spec): boolean {
  return spec.events.some(restartsServer);
}

/**
 * Restart, crash and failover events on a config whose PostgreSQL image is an official one (its
 * entrypoint makes the postmaster the container's main process, so bench cannot restart it): exit 2
 * before anything starts, naming the event. Only the images' metadata is read.
 */
async function refuseUnrestartable(matrix: Matrix): Promise<void> {
  const spec = matrix.spec;
  if (!restartsPostgres(spec)) return;
  const client = await runtimeClient();
  const runImage = applyImageOverrides(spec.images).postgres;
  const modes = new Map<string, PostgresImageMode>();
  for (const c of spec.configs) {
    const image = namedServer(c, 'testcontainers') ?? runImage;
    if (!modes.has(image)) modes.set(image, postgresImageMode((await imageFacts(client, image)).entrypoint));
  }
  throwIssues(
    matrix.file,
    unrestartableIssues(spec.events, (config) => {
      const c = spec.configs.find((x) => x.name === config);
      const image = (c && namedServer(c, 'testcontainers')) ?? runImage;
      return modes.get(image) === 'official'
        ? {
            ok: false,
            why: `${image} has the official entrypoint: its postmaster is the container's main process; use a bare image such as local/pgstack:bookworm, or --provider native`,
          }
        : { ok: true };
    }),
  );
}

/** A non-root user for a server image: the image's own, else `postgres` (pgbouncer refuses root). */
function serverUser(image: ImageFacts): string {
  const u = image.user.trim();
  return u === '' || u === 'root' || u === '0' || u.startsWith('0:') ? 'postgres' : u;
}

interface ContainerContext {
  client: ContainerRuntimeClient;
  runLabel: string;
  stackLabel: string;
  images: Record<string, ImageFacts>;
  /** The stack's live versions: PgBouncer's is read from its first running container. */
  versions: Record<string, string>;
  /** PgBouncer's version by image, read once. */
  bouncerVersions: Map<string, string>;
  signal: AbortSignal | undefined;
  tls: StackTls;
  /** The run's scratch directory on the host: workers' socket directories are mounted from here. */
  workdir: string;
}

/**
 * A config's PgBouncer as a container running the binary with our config; its version is read once
 * per image and decides its stop signal.
 */
async function startPgbouncerContainer(ctx: ContainerContext, l: PgbouncerLaunch): Promise<Component> {
  // The config's own image (`images: { pgbouncer }`), else the run's.
  const image = ctx.images[`pgbouncer:${l.config}`] ?? ctx.images.pgbouncer;
  if (!image) throw new StackError('internal: no pgbouncer image resolved');
  const authFile = `${CONF_DIR}/userlist.txt`;
  const iniFile = `${CONF_DIR}/pgbouncer.ini`;
  const sock = workerSocketMount(ctx.workdir, l);
  const component = await startComponentContainer({
    client: ctx.client,
    role: 'pgbouncer',
    config: l.config,
    image,
    runLabel: ctx.runLabel,
    stackLabel: ctx.stackLabel,
    port: l.port,
    // The binary itself, in the foreground, with our config: image entrypoints (edoburu's writes
    // a config from environment variables) are bypassed, and the container's main process is
    // pgbouncer, whose host PID the sampler walks.
    entrypoint: ['pgbouncer'],
    command: [iniFile],
    user: serverUser(image),
    files: [
      {
        content: l.ini({
          authFile,
          socketDir: sock?.socketDir ?? '/tmp',
          ...(sock ? { workerSocketDirs: sock.workerSocketDirs } : {}),
          ...(l.tls && ctx.tls.paths ? { tls: ctx.tls.paths } : {}),
        }),
        target: iniFile,
        mode: 0o644,
      },
      // The SCRAM verifiers, never the clear password: PgBouncer then passes the client's keys
      // on instead of deriving them for every connection (what the native provider does too).
      { content: l.userlist, target: authFile, mode: 0o644 },
    ],
    ...(l.tls ? pgbouncerTlsFiles(ctx.tls, serverUser(image)) : {}),
    ...(sock ? { binds: [{ source: sock.source, target: sock.target }] } : {}),
    logMessage: { re: /process up/, times: 1 },
    ready: sock ? l.readyAt(sock.hostSocketDir) : l.endpoint,
    readyTimeoutMs: 60_000,
    // SIGTERM (docker stop's default) is pgbouncer's immediate shutdown.
    stopTimeoutMs: 5_000,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  let version = ctx.bouncerVersions.get(image.ref);
  if (version === undefined) {
    const r = await component.exec(['pgbouncer', '--version']).catch(async (e: unknown) => {
      await component.stop();
      throw e;
    });
    version = r.exitCode === 0 ? parseVersion(r.output) : 'unknown';
    ctx.bouncerVersions.set(image.ref, version);
  }
  component.version = version;
  if (sock) component.socketDir = sock.hostSocketDir;
  // `pgbouncer` is the run's image only; a config's own image is `pgbouncer:<config>`.
  ctx.versions[bouncerVersionKey(ctx.images, l.config)] = version;
  // PgBouncer >= 1.23 made SIGTERM a "super safe" shutdown that waits for every client, and
  // SIGQUIT the immediate one; older versions exit at once on SIGTERM (docker stop's signal)
  // and do not handle SIGQUIT, which PID 1 in a container then ignores.
  if (versionAtLeast(version, [1, 23])) component.stopSignal = 'SIGQUIT';
  return component;
}

/** run.json's key for a config's PgBouncer version: `pgbouncer:<config>` for its own image, else `pgbouncer`. */
export function bouncerVersionKey(images: Readonly<Record<string, unknown>>, config: string): string {
  return images[`pgbouncer:${config}`] ? `pgbouncer:${config}` : 'pgbouncer';
}

/** Where a worker's unix socket lives inside its container. */
const WORKER_SOCKET_DIR = '/var/run/bench-pgbouncer';
/** sun_path holds 108 bytes on Linux, the last one a NUL. */
const MAX_SOCKET_PATH = 107;

/**
 * With several workers, the config's socket directories are one host directory mounted into every
 * worker's container, one subdirectory per worker (mode 0777: the container's pgbouncer user
 * creates its socket in it): the harness reaches each worker's admin console from the host, and a
 * peered worker reaches its peers' sockets. One process needs none (its admin console is the TCP port).
 */
function workerSocketMount(
  workdir: string,
  l: PgbouncerLaunch,
):
  | { source: string; target: string; socketDir: string; hostSocketDir: string; workerSocketDirs: string[] }
  | undefined {
  if (l.workers <= 1) return undefined;
  // Short names: a unix socket's path has at most 107 bytes, and the host path is what the
  // harness connects to (<workdir>/pgbouncer-<config>/<worker>/.s.PGSQL.<port>).
  const source = path.join(workdir, `pgbouncer-${l.config}`);
  const hostSocketDir = path.join(source, String(l.worker));
  const socket = path.join(hostSocketDir, `.s.PGSQL.${l.port}`);
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    throw new StackError(
      `config ${l.config}: the unix socket of its worker ${l.worker} would be ${socket}, longer than the ${MAX_SOCKET_PATH} bytes a socket path may have (use a shorter matrix or config name, or TMPDIR)`,
    );
  }
  for (const d of [source, hostSocketDir]) {
    mkdirSync(d, { recursive: true });
    chmodSync(d, 0o777);
  }
  const inside = (w: number) => `${WORKER_SOCKET_DIR}/${w}`;
  return {
    source,
    target: WORKER_SOCKET_DIR,
    socketDir: inside(l.worker),
    hostSocketDir,
    workerSocketDirs: Array.from({ length: l.workers }, (_, i) => inside(i + 1)),
  };
}

/** A config's proxy as a container from its image, its `files:` copied into {workdir} first. */
async function startProxyContainer(ctx: ContainerContext, l: ProxyLaunch): Promise<Component> {
  const c = l.config;
  const image = ctx.images[`proxy:${c.name}`];
  if (!c.image || !image) {
    throw new StackError(
      `config "${c.name}": the testcontainers provider needs a proxy "image" (only a command was given)`,
    );
  }
  // The command is the container's CMD (the image's entrypoint, usually the proxy binary, stays).
  const { command, files } = l.render(PROXY_WORKDIR);
  const copies = files.map((f) => ({
    content: f.content,
    target: `${PROXY_WORKDIR}/${f.name}`,
    mode: 0o644,
  }));
  return startComponentContainer({
    client: ctx.client,
    role: 'proxy',
    config: c.name,
    image,
    runLabel: ctx.runLabel,
    stackLabel: ctx.stackLabel,
    port: l.port,
    ...(command ? { command } : {}),
    ...(copies.length > 0 ? { files: copies } : {}),
    env: c.env,
    ready: l.endpoint,
    // Milliseconds: the matrix's duration ("30s") is parsed into ms.
    readyTimeoutMs: c.ready_timeout,
    stopTimeoutMs: 5_000,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
}

/** PgBouncer and proxies as containers on the host network, configs copied in before start. */
function containerStarter(ctx: Omit<ContainerContext, 'bouncerVersions'>): ComponentStarter {
  const full: ContainerContext = { ...ctx, bouncerVersions: new Map() };
  return {
    pgbouncer: (l) => startPgbouncerContainer(full, l),
    proxy: (l) => startProxyContainer(full, l),
    standby: (l) => startStandbyContainer(full, l),
    // A local process even here: every container runs with host networking, so a pooler container
    // reaches the relay's 127.0.0.1 port as a local process would (src/stack/fault-relay.ts).
    relay: (config, upstream) => {
      const dir = path.join(ctx.workdir, `relay-${config}`);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      return startFaultRelay(config, dir, upstream);
    },
  };
}

const STANDBY_PGDATA = '/tmp/standby-data';
/** In a directory of its own: the owned copy makes its parent a 0700 directory of the server user. */
const STANDBY_PGPASS = '/tmp/bench-standby/pgpass';

/** The standby's password file, with the server's TLS files when the run has them (one owner: postgres). */
function standbyOwnedFiles(tls: StackTls, pgpass: OwnedFiles['files'][number]): OwnedFiles {
  const withTls = postgresTlsFiles(tls).ownedFiles;
  return { user: withTls?.user ?? 'postgres', files: [...(withTls?.files ?? []), pgpass] };
}

/**
 * A standby as a container of the PostgreSQL image on the host network: `sh -c` takes the base
 * backup of the primary (127.0.0.1, the replication role's password in a 0600 password file of the
 * server user, never in argv), then execs postgres on it, so the postmaster is the container's main
 * process. The image's entrypoint (an official image's initdb) is bypassed.
 */
async function startStandbyContainer(ctx: ContainerContext, l: StandbyLaunch): Promise<Component> {
  const image = ctx.images.postgres;
  if (!image) throw new StackError('internal: no postgres image resolved');
  const pgpass = STANDBY_PGPASS;
  const args = postgresSettingArgs({ ...ctx.tls.postgres, ...l.settings('/tmp') });
  const shq = (w: string) => `'${w.replaceAll("'", `'\\''`)}'`;
  const script =
    `PGPASSFILE=${pgpass} pg_basebackup ${l.basebackup(STANDBY_PGDATA).map(shq).join(' ')} && ` +
    `exec postgres -D ${STANDBY_PGDATA} ${args.map(shq).join(' ')}`;
  const component = await startComponentContainer({
    client: ctx.client,
    role: 'postgres',
    config: l.config,
    image,
    runLabel: ctx.runLabel,
    stackLabel: ctx.stackLabel,
    port: l.port,
    entrypoint: ['sh'],
    command: ['-c', script],
    user: 'postgres',
    // 0600 and owned by the server user from the start (libpq ignores a password file others can read).
    ownedFiles: standbyOwnedFiles(ctx.tls, { content: l.pgpass, target: pgpass, mode: 0o600 }),
    shmBytes: POSTGRES_SHM_BYTES,
    logMessage: { re: /database system is ready to accept read-only connections/, times: 1 },
    ready: l.endpoint,
    readyTimeoutMs: 120_000,
    stopTimeoutMs: 15_000,
    stopSignal: 'SIGINT',
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  });
  try {
    await waitForStreaming(l.endpoint, 30_000);
  } catch (e) {
    await component.stop();
    throw new StackError(`the standby of ${l.config} did not stream: ${(e as Error).message}`);
  }
  component.name = 'standby';
  component.version = ctx.versions.postgres ?? 'unknown';
  return component;
}
