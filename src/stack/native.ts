import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { ConfigurationError, StackError } from '../errors.js';
import { type ConfigSpec, needsPgbouncer, pgbouncerHopOf } from '../matrix/schema.js';
import { localPgbench } from '../pgbench/local-runner.js';
import { registerSecret } from '../util/redact.js';
import { parseVersion } from '../util/version.js';
import { binaryVersion, findBinaries, type NativeBinaries } from './binaries.js';
import {
  BENCH_DB,
  BENCH_USER,
  initdbArgs,
  postgresSettingArgs,
  postgresSettings,
  prepareCluster,
} from './cluster.js';
import {
  binariesRecord,
  checkConfigBinaries,
  configPgbouncerBinary,
  needsMachinePgbouncer,
  serverBinaries,
} from './config-binaries.js';
import { startFaultRelay } from './fault-relay.js';
import { pathLifecycle } from './lifecycle.js';
import { nativeLaunch } from './native-counting.js';
import { NativePostgres } from './native-postgres.js';
import { type ComponentStarter, preparePaths, type StandbyLaunch, startConfigPath } from './path.js';
import { iniRewriter } from './pgbouncer-rewrite.js';
import { pickPort, releasePort } from './ports.js';
import { ManagedProcess } from './process.js';
import { waitForQuery, waitForTcp } from './ready.js';
import { waitForStreaming } from './standby.js';
import { nativeTls, type StackTls } from './tls-stack.js';
import type { Component, ComponentRole, Endpoint, Provider, Stack, StartOptions } from './types.js';
import { componentUser, type RunAs } from './user.js';

// Where it was first defined; src/runner/isolation.ts imports it from here.

function component(
  role: ComponentRole,
  proc: ManagedProcess,
  port: number,
  version: string | undefined,
  config: string | undefined,
  graceMs: number,
): Component {
  return {
    role,
    ...(config === undefined ? {} : { config }),
    pid: proc.pid,
    port,
    ...(version === undefined ? {} : { version }),
    alive: () => proc.alive(),
    logTail: (n) => proc.logTail(n),
    stop: async () => {
      await proc.stop(graceMs);
      releasePort(port);
    },
  };
}

/** A scratch directory that the unprivileged component user can write. */
function ownedDir(dir: string, runAs: RunAs | undefined): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  return dir;
}

function ownedFile(file: string, text: string, runAs: RunAs | undefined): void {
  writeFileSync(file, text, { mode: 0o600 });
  if (runAs) chownSync(file, runAs.uid, runAs.gid);
}

/** Waits until `ready` passes; a process that did not get there is stopped and its log tail thrown. */
async function whenReady(
  proc: ManagedProcess,
  what: () => string,
  ready: () => Promise<void>,
): Promise<void> {
  try {
    await ready();
  } catch (e) {
    await proc.stop(2000);
    throw new StackError(`${what()}: ${(e as Error).message}`, proc.logTail(15));
  }
}

/** The stack as local processes: a throwaway cluster, PgBouncer and proxies, all on 127.0.0.1. */
export const nativeProvider: Provider = {
  name: 'native',
  async preflight(matrix) {
    const own = matrix.spec.configs.find((c) => c.kind !== 'external' && c.images);
    if (own) {
      throw new ConfigurationError(
        `${matrix.file}: config ${own.name}: images: expected the testcontainers provider (the native provider runs this machine's binaries, or a config's binaries:), got provider native`,
      );
    }
    await checkConfigBinaries(matrix);
    findBinaries({ needPgbouncer: needsMachinePgbouncer(matrix.spec.configs) });
    componentUser();
  },
  defaultServer() {
    try {
      return path.dirname(findBinaries({ needPgbouncer: false }).postgres);
    } catch {
      return undefined;
    }
  },
  async pgbouncerVersion(matrix, config) {
    const own = configPgbouncerBinary(matrix.spec.configs.find((c) => c.name === config));
    const bin = own ?? findBinaries({ needPgbouncer: true }).pgbouncer ?? 'pgbouncer';
    return { version: await binaryVersion(bin), where: bin };
  },
  async start(opts: StartOptions): Promise<Stack> {
    const { matrix, workdir, log } = opts;
    const spec = matrix.spec;
    const needPgbouncer = needsPgbouncer(spec.configs);
    const bins = serverBinaries(
      findBinaries({ needPgbouncer: needsMachinePgbouncer(spec.configs) }),
      spec.configs,
    );
    const runAs = componentUser();
    const root = ownedDir(workdir, runAs);
    const password = randomBytes(18).toString('base64url');
    registerSecret(password);
    const started: Component[] = [];
    const stopAll = async () => {
      // Client side first, PostgreSQL last, so poolers do not log a storm of server disconnects.
      for (const c of [...started].reverse()) await c.stop();
      started.length = 0;
    };
    try {
      const [pgbenchVersion, pgbouncerVersions] = await Promise.all([
        binaryVersion(bins.pgbench),
        pgbouncerVersionsOf(spec.configs, needPgbouncer ? bins.pgbouncer : undefined),
      ]);
      const tls = await nativeTls(spec, root, runAs);
      const pgT0 = Date.now();
      const postgres = await startPostgres(bins, root, runAs, password, opts, tls);
      started.push(postgres.server.component);
      const pgVersion = postgres.server.component.version ?? 'unknown';
      log(
        `postgres ${pgVersion} (${bins.postgres}) ready on 127.0.0.1:${postgres.endpoint.port} in ${Date.now() - pgT0} ms`,
      );

      const env = await preparePaths(postgres.endpoint, matrix, password, postgres.secret, log);
      if (tls.certs) env.caFile = tls.certs.file('caCert');
      const inis = iniRewriter();
      const starter = processStarter({
        bins,
        configs: spec.configs,
        root,
        runAs,
        pgbouncerVersions,
        signal: opts.signal,
        tls,
        inis,
      });
      const lifecycle = pathLifecycle(spec.configs, started, (c, onStarted, counting) =>
        startConfigPath(c, env, starter, onStarted, counting),
      );

      const versions: Record<string, string> = {
        postgres: pgVersion,
        pgbench: pgbenchVersion,
        ...pgbouncerVersionRecord(spec.configs, bins.pgbouncer, pgbouncerVersions),
      };
      return {
        provider: 'native',
        postgres: postgres.endpoint,
        postgresComponent: postgres.server.component,
        postgresOps: postgres.server.ops(),
        pgbouncerOps: inis.ops,
        paths: lifecycle.paths,
        roles: env.roles,
        pgbench: localPgbench(bins.pgbench, pgbenchVersion),
        versions,
        details: {
          network: 'loopback (native processes)',
          binaries: binariesRecord(bins, spec.configs),
          runAs: runAs?.name ?? process.env.USER ?? 'current user',
          startupMs: Date.now() - pgT0,
          ...(tls.record ? { tls: tls.record } : {}),
        },
        startPath: lifecycle.startPath,
        stopPath: lifecycle.stopPath,
        restartPath: lifecycle.restartPath,
        stop: stopAll,
      };
    } catch (e) {
      await stopAll();
      throw e;
    }
  },
};

async function startPostgres(
  bins: NativeBinaries,
  root: string,
  runAs: RunAs | undefined,
  password: string,
  { matrix: { spec }, log, signal }: StartOptions,
  tls: StackTls,
): Promise<{ endpoint: Endpoint; server: NativePostgres; secret: string }> {
  const data = path.join(root, 'pgdata');
  const sock = ownedDir(path.join(root, 'pgsock'), runAs);
  const pwfile = path.join(root, 'pwfile');
  ownedFile(pwfile, `${password}\n`, runAs);
  const ids = runAs ? { uid: runAs.uid, gid: runAs.gid } : {};
  const init = await execa(
    bins.initdb,
    initdbArgs({ dataDir: data, user: BENCH_USER, pwfile, auth: spec.auth }),
    {
      reject: false,
      ...ids,
      cwd: root,
      timeout: 120_000,
    },
  );
  // The clear password is needed only by initdb: it does not stay on disk for the run.
  rmSync(pwfile, { force: true });
  if (init.exitCode !== 0)
    throw new StackError(`initdb failed (exit ${init.exitCode})`, `${init.stderr}`.slice(-2000));
  const port = spec.postgres.port ?? (await pickPort());
  const args = postgresSettingArgs({ ...tls.postgres, ...postgresSettings(spec, port, sock) });
  const endpoint: Endpoint = { host: '127.0.0.1', port, database: 'postgres', user: BENCH_USER, password };
  const server = new NativePostgres(
    [bins.postgres, '-D', data, ...args],
    {
      name: 'postgres',
      cwd: root,
      ...ids,
      logFile: path.join(root, 'postgres.log'),
      // SIGINT is PostgreSQL's "fast" shutdown; SIGQUIT its immediate one. SIGKILL on the postmaster
      // would orphan its backends, so the hard signal is SIGQUIT.
      stopSignal: 'SIGINT',
      hardSignal: 'SIGQUIT',
    },
    endpoint,
    port,
    15_000,
    () => releasePort(port),
  );
  const proc = server.process;
  let secret = '';
  let version = 'unknown';
  try {
    const what = () => (signal?.aborted ? 'interrupted while postgres started' : 'postgres did not start');
    await whenReady(proc, what, async () => {
      await waitForQuery(endpoint, 60_000, () => proc.alive() && !signal?.aborted);
      // The running server's own answer (SHOW server_version), not the binary's --version.
      ({ secret, version } = await prepareCluster(endpoint));
    });
  } catch (e) {
    releasePort(port);
    throw e;
  }
  registerSecret(secret);
  log(`postgres cluster in ${data}`);
  const running = parseVersion(version);
  if (running !== undefined) server.component.version = running;
  return { secret, endpoint: { ...endpoint, database: BENCH_DB }, server };
}

/** Each PgBouncer binary the stack may start (the machine's, configs' own) -> its `--version`. */
async function pgbouncerVersionsOf(
  configs: readonly ConfigSpec[],
  machine: string | undefined,
): Promise<Map<string, string>> {
  const bins = new Set(
    configs.map((c) => (pgbouncerHopOf(c) ? (configPgbouncerBinary(c) ?? machine) : undefined)),
  );
  const out = new Map<string, string>();
  for (const b of bins) if (b !== undefined) out.set(b, await binaryVersion(b));
  return out;
}

/** run.json's PgBouncer versions: the machine's as `pgbouncer`, a config's own as `pgbouncer:<config>`. */
function pgbouncerVersionRecord(
  configs: readonly ConfigSpec[],
  machine: string | undefined,
  found: ReadonlyMap<string, string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const v = machine === undefined ? undefined : found.get(machine);
  if (v !== undefined) out.pgbouncer = v;
  for (const c of configs) {
    const own = configPgbouncerBinary(c);
    const ownVersion = own === undefined ? undefined : found.get(own);
    if (ownVersion !== undefined) out[`pgbouncer:${c.name}`] = ownVersion;
  }
  return out;
}

interface ProcessContext {
  bins: NativeBinaries;
  root: string;
  runAs: RunAs | undefined;
  configs: readonly ConfigSpec[];
  /** Version by binary path (pgbouncerVersionsOf). */
  pgbouncerVersions: ReadonlyMap<string, string>;
  signal: AbortSignal | undefined;
  tls: StackTls;
  /** Each running PgBouncer's ini, for the stack's pgbouncerOps. */
  inis: ReturnType<typeof iniRewriter>;
}

/** PgBouncer and proxies as local processes under the run's scratch directory. */
function processStarter(ctx: ProcessContext): ComponentStarter {
  const alive = (proc: ManagedProcess) => () => proc.alive() && !ctx.signal?.aborted;
  return {
    async pgbouncer(l) {
      const bin = configPgbouncerBinary(ctx.configs.find((c) => c.name === l.config)) ?? ctx.bins.pgbouncer;
      if (!bin) throw new StackError('pgbouncer binary not found');
      // Each worker its own directory: its unix socket (the admin console of that worker) and log.
      const sub = (w: number) =>
        l.workers > 1 ? `pgbouncer-${l.config}-worker-${w}` : `pgbouncer-${l.config}`;
      const dir = ownedDir(path.join(ctx.root, sub(l.worker)), ctx.runAs);
      // Peers are reached through their sockets: every worker's directory, in worker order.
      const workerSocketDirs = Array.from({ length: l.workers }, (_, i) => path.join(ctx.root, sub(i + 1)));
      const authFile = path.join(dir, 'userlist.txt');
      ownedFile(authFile, l.userlist, ctx.runAs);
      const iniFile = path.join(dir, 'pgbouncer.ini');
      const tlsPaths = l.tls ? ctx.tls.paths : undefined;
      const where = { authFile, socketDir: dir, workerSocketDirs, ...(tlsPaths ? { tls: tlsPaths } : {}) };
      const writeIni = (text: string) => {
        ownedFile(iniFile, text, ctx.runAs);
        chmodSync(iniFile, 0o644);
      };
      writeIni(l.ini(where));
      ctx.inis.register(l.config, l.worker, {
        render: (change) => l.ini({ ...where, change }),
        write: async (text) => writeIni(text),
      });
      // Foreground under our supervision: `-d` needs a pidfile and hides the PID from us.
      const launch = nativeLaunch(
        [bin, iniFile],
        'pgbouncer',
        `${l.config}-worker-${l.worker}`,
        ctx.runAs,
        l.counting,
      );
      const proc = new ManagedProcess(launch.argv, {
        name: `pgbouncer:${l.config}${l.workers > 1 ? `/worker-${l.worker}` : ''}`,
        cwd: dir,
        ...launch.ids,
        logFile: path.join(dir, 'pgbouncer.log'),
        // SIGINT is a "safe" shutdown that waits for clients; SIGTERM closes at once, which is what a
        // finished benchmark wants.
        stopSignal: 'SIGTERM',
        hardSignal: 'SIGKILL',
        ...launch.stop,
      });
      await whenReady(
        proc,
        () =>
          `pgbouncer for config "${l.config}" did not start${l.counting ? ` under ${l.counting.method}` : ''}`,
        () => waitForQuery(l.readyAt(dir), launch.readyTimeoutMs ?? 30_000, alive(proc)),
      );
      // Under valgrind a process writes its counts on the way out: more grace before the hard kill.
      const grace = l.counting ? 30_000 : 5_000;
      return {
        ...component('pgbouncer', proc, l.port, ctx.pgbouncerVersions.get(bin), l.config, grace),
        socketDir: dir,
      };
    },
    standby: (l) => startNativeStandby(ctx, l),
    async proxy(l) {
      const c = l.config;
      if (!c.command) {
        throw new StackError(
          `config "${c.name}": the native provider needs a proxy "command" (only an image was given)`,
        );
      }
      const dir = ownedDir(path.join(ctx.root, `proxy-${c.name}`), undefined);
      const { command = [], files } = l.render(dir);
      // 0600: a template may carry what the proxy needs to log in; the directory is the run's scratch.
      for (const f of files) writeFileSync(path.join(dir, f.name), f.content, { mode: 0o600 });
      const launch = nativeLaunch(command, 'proxy', c.name, undefined, l.counting);
      const proc = new ManagedProcess(launch.argv, {
        name: `proxy:${c.name}`,
        cwd: dir,
        env: c.env,
        logFile: path.join(dir, 'proxy.log'),
        stopSignal: 'SIGTERM',
        hardSignal: 'SIGKILL',
        ...launch.stop,
      });
      // ready_timeout is in milliseconds once the matrix is parsed (a duration such as "30s").
      const readyMs = Math.max(c.ready_timeout, launch.readyTimeoutMs ?? 0);
      await whenReady(
        proc,
        () =>
          `proxy for config "${c.name}" did not start${l.counting ? ` under ${l.counting.method}` : ''} (${command[0]})`,
        async () => {
          await waitForTcp('127.0.0.1', l.port, readyMs, alive(proc));
          await waitForQuery(l.endpoint, readyMs, alive(proc));
        },
      );
      return component('proxy', proc, l.port, undefined, c.name, l.counting ? 30_000 : 5_000);
    },
    relay: (config, upstream) =>
      startFaultRelay(config, ownedDir(path.join(ctx.root, `relay-${config}`), undefined), upstream),
  };
}

/**
 * A standby as a local process: pg_basebackup of the primary into a fresh data directory (as the
 * component user, the replication role's password in a 0600 password file, never in argv), then
 * postgres on it with the primary's settings on its own port, ready once it streams.
 */
async function startNativeStandby(ctx: ProcessContext, l: StandbyLaunch): Promise<Component> {
  const basebackup = path.join(path.dirname(ctx.bins.postgres), 'pg_basebackup');
  if (!existsSync(basebackup)) throw new StackError(`pg_basebackup not found beside ${ctx.bins.postgres}`);
  const data = path.join(ctx.root, `standby-${l.config}`);
  rmSync(data, { recursive: true, force: true });
  const sock = ownedDir(path.join(ctx.root, `standby-${l.config}-sock`), ctx.runAs);
  const pgpass = path.join(ctx.root, `standby-${l.config}.pgpass`);
  ownedFile(pgpass, l.pgpass, ctx.runAs);
  const ids = ctx.runAs ? { uid: ctx.runAs.uid, gid: ctx.runAs.gid } : {};
  const backup = await execa(basebackup, l.basebackup(data), {
    reject: false,
    ...ids,
    cwd: ctx.root,
    env: { PGPASSFILE: pgpass },
    timeout: 300_000,
  });
  if (backup.exitCode !== 0) {
    throw new StackError(
      `pg_basebackup for the standby of ${l.config} failed (exit ${backup.exitCode})`,
      `${backup.stderr}`.slice(-2000),
    );
  }
  const args = postgresSettingArgs({ ...ctx.tls.postgres, ...l.settings(sock) });
  const proc = new ManagedProcess([ctx.bins.postgres, '-D', data, ...args], {
    name: `postgres:standby:${l.config}`,
    cwd: ctx.root,
    ...ids,
    logFile: path.join(ctx.root, `standby-${l.config}.log`),
    stopSignal: 'SIGINT',
    hardSignal: 'SIGQUIT',
  });
  await whenReady(
    proc,
    () => `the standby of ${l.config} did not start`,
    async () => {
      await waitForQuery(l.endpoint, 60_000, () => proc.alive() && !ctx.signal?.aborted);
      await waitForStreaming(l.endpoint, 30_000);
    },
  );
  const comp = { ...component('postgres', proc, l.port, undefined, l.config, 15_000), name: 'standby' };
  const stop = comp.stop.bind(comp);
  // A base backup per config start: gone with the standby, and so is its password file.
  comp.stop = async () => {
    await stop();
    for (const p of [data, sock, pgpass]) rmSync(p, { recursive: true, force: true });
  };
  return comp;
}
