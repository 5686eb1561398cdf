import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { StackError } from '../errors.js';
import { type ConfigSpec, needsPgbouncer, type PgbouncerHop, pgbouncerHopOf } from '../matrix/schema.js';
import { localPgbench } from '../pgbench/local-runner.js';
import { registerSecret } from '../util/redact.js';
import { binaryVersion, findBinaries, type NativeBinaries } from './binaries.js';
import { pathLifecycle } from './lifecycle.js';
import { pickPort, releasePort } from './ports.js';
import { ManagedProcess } from './process.js';
import { waitForQuery, waitForTcp, withClient } from './ready.js';
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
  ComponentRole,
  ConfigPath,
  Endpoint,
  Provider,
  Stack,
  StartOptions,
} from './types.js';
import { componentUser, type RunAs } from './user.js';

export const BENCH_DB = 'bench';
export const BENCH_USER = 'bench';

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

function fail(what: string, e: unknown, proc?: ManagedProcess): never {
  throw new StackError(`${what}: ${(e as Error).message}`, proc?.logTail(15));
}

/** The stack as local processes: a throwaway cluster, PgBouncer and proxies, all on 127.0.0.1. */
export const nativeProvider: Provider = {
  name: 'native',
  preflight(matrix) {
    findBinaries({ needPgbouncer: needsPgbouncer(matrix.spec.configs) });
    componentUser();
  },
  async start(opts: StartOptions): Promise<Stack> {
    const { matrix, workdir, log } = opts;
    const spec = matrix.spec;
    const needPgbouncer = needsPgbouncer(spec.configs);
    const bins = findBinaries({ needPgbouncer });
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
      const [pgVersion, pgbenchVersion, pgbouncerVersion] = await Promise.all([
        binaryVersion(bins.postgres),
        binaryVersion(bins.pgbench),
        bins.pgbouncer && needPgbouncer ? binaryVersion(bins.pgbouncer) : Promise.resolve(undefined),
      ]);
      const pgT0 = Date.now();
      const postgres = await startPostgres(bins, root, runAs, password, spec, log, opts.signal);
      started.push(postgres.component);
      log(`postgres ${pgVersion} ready on 127.0.0.1:${postgres.endpoint.port} in ${Date.now() - pgT0} ms`);

      const roles = configRoles(spec.configs);
      const verifiers = await withClient(postgres.endpoint, (c) =>
        createConfigRoles((sql, params) => c.query(sql, params), roles, password),
      );
      for (const v of verifiers.values()) registerSecret(v);
      const pathFor = async (c: ConfigSpec): Promise<ConfigPath> => {
        const role = roles.get(c.name) ?? BENCH_USER;
        const p = await startPath(c, {
          bins,
          root,
          runAs,
          password,
          adminSecret: postgres.secret,
          roleSecret: verifiers.get(role) ?? '',
          postgres: { ...postgres.endpoint, user: role },
          matrixDir: path.dirname(matrix.file),
          spec,
          log,
          pgbouncerVersion,
          signal: opts.signal,
        });
        started.push(...p.components);
        return p;
      };
      const lifecycle = pathLifecycle(spec.configs, started, pathFor);

      const versions: Record<string, string> = { postgres: pgVersion, pgbench: pgbenchVersion };
      if (pgbouncerVersion) versions.pgbouncer = pgbouncerVersion;
      return {
        provider: 'native',
        postgres: postgres.endpoint,
        postgresComponent: postgres.component,
        paths: lifecycle.paths,
        roles,
        pgbench: localPgbench(bins.pgbench, pgbenchVersion),
        versions,
        details: {
          network: 'loopback (native processes)',
          binaries: bins,
          runAs: runAs?.name ?? process.env.USER ?? 'current user',
          startupMs: Date.now() - pgT0,
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
  spec: StartOptions['matrix']['spec'],
  log: (m: string) => void,
  signal: AbortSignal | undefined,
): Promise<{ endpoint: Endpoint; component: Component; secret: string }> {
  const data = path.join(root, 'pgdata');
  const sock = ownedDir(path.join(root, 'pgsock'), runAs);
  const pwfile = path.join(root, 'pwfile');
  ownedFile(pwfile, `${password}\n`, runAs);
  const ids = runAs ? { uid: runAs.uid, gid: runAs.gid } : {};
  const init = await execa(
    bins.initdb,
    [
      '-D',
      data,
      '-U',
      BENCH_USER,
      `--pwfile=${pwfile}`,
      '--auth-local=trust',
      `--auth-host=${spec.auth}`,
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ],
    { reject: false, ...ids, cwd: root, timeout: 120_000 },
  );
  // The clear password is needed only by initdb: it does not stay on disk for the run.
  rmSync(pwfile, { force: true });
  if (init.exitCode !== 0)
    throw new StackError(`initdb failed (exit ${init.exitCode})`, `${init.stderr}`.slice(-2000));
  const port = spec.postgres.port ?? (await pickPort());
  const settings: Record<string, string | number | boolean> = {
    listen_addresses: '127.0.0.1',
    port,
    unix_socket_directories: sock,
    max_connections: postgresMaxConnections(spec.concurrency, spec.configs),
    ...spec.postgres.settings,
  };
  const args = Object.entries(settings).flatMap(([k, v]) => [
    '-c',
    `${k}=${typeof v === 'boolean' ? (v ? 'on' : 'off') : v}`,
  ]);
  const proc = new ManagedProcess([bins.postgres, '-D', data, ...args], {
    name: 'postgres',
    cwd: root,
    ...ids,
    logFile: path.join(root, 'postgres.log'),
    // SIGINT is PostgreSQL's "fast" shutdown; SIGQUIT its immediate one. SIGKILL on the postmaster
    // would orphan its backends, so the hard signal is SIGQUIT.
    stopSignal: 'SIGINT',
    hardSignal: 'SIGQUIT',
  });
  const endpoint: Endpoint = { host: '127.0.0.1', port, database: 'postgres', user: BENCH_USER, password };
  let secret: string;
  try {
    await waitForQuery(endpoint, 60_000, () => proc.alive() && !signal?.aborted);
    secret = await withClient(endpoint, async (c) => {
      await c.query(`CREATE DATABASE ${BENCH_DB}`);
      const r = await c.query<{ rolpassword: string | null }>(
        'SELECT rolpassword FROM pg_authid WHERE rolname = $1',
        [BENCH_USER],
      );
      return r.rows[0]?.rolpassword ?? '';
    });
  } catch (e) {
    await proc.stop(2000);
    releasePort(port);
    fail(signal?.aborted ? 'interrupted while postgres started' : 'postgres did not start', e, proc);
  }
  registerSecret(secret);
  log(`postgres cluster in ${data}`);
  return {
    secret,
    endpoint: { ...endpoint, database: BENCH_DB },
    component: component('postgres', proc, port, undefined, undefined, 15_000),
  };
}

interface PathContext {
  bins: NativeBinaries;
  root: string;
  runAs: RunAs | undefined;
  password: string;
  /** SCRAM verifiers for PgBouncer's auth_file: the admin user's (samplers) and the config role's (pgbench). */
  adminSecret: string;
  roleSecret: string;
  /** PostgreSQL as the config's own role. */
  postgres: Endpoint;
  /** Proxy `files:` paths are relative to the matrix file. */
  matrixDir: string;
  spec: StartOptions['matrix']['spec'];
  log: (m: string) => void;
  pgbouncerVersion: string | undefined;
  signal: AbortSignal | undefined;
}

async function startPath(c: ConfigSpec, ctx: PathContext): Promise<ConfigPath> {
  if (c.kind === 'direct') return { config: c.name, endpoint: ctx.postgres, components: [] };
  const components: Component[] = [];
  try {
    let upstream = ctx.postgres;
    let admin: Endpoint | undefined;
    const hop = pgbouncerHopOf(c);
    if (hop) {
      const b = await startPgbouncer(c.name, hop, ctx, c.kind === 'pgbouncer' ? c.port : undefined);
      components.push(b.component);
      upstream = b.endpoint;
      admin = { ...b.endpoint, database: 'pgbouncer', user: BENCH_USER };
    }
    if (c.kind === 'proxy') {
      const p = await startProxy(c, upstream, ctx);
      components.unshift(p.component);
      upstream = p.endpoint;
    }
    return { config: c.name, endpoint: upstream, components, ...(admin ? { pgbouncerAdmin: admin } : {}) };
  } catch (e) {
    for (const comp of components) await comp.stop();
    throw e;
  }
}

async function startPgbouncer(
  config: string,
  hop: PgbouncerHop,
  ctx: PathContext,
  fixedPort: number | undefined,
): Promise<{ endpoint: Endpoint; component: Component }> {
  if (!ctx.bins.pgbouncer) throw new StackError('pgbouncer binary not found');
  const dir = ownedDir(path.join(ctx.root, `pgbouncer-${config}`), ctx.runAs);
  const port = fixedPort ?? (await pickPort());
  const authFile = path.join(dir, 'userlist.txt');
  ownedFile(
    authFile,
    renderUserlist([
      [BENCH_USER, ctx.adminSecret],
      [ctx.postgres.user, ctx.roleSecret],
    ]),
    ctx.runAs,
  );
  const ini = renderPgbouncerIni({
    hop,
    listenPort: port,
    upstreamHost: ctx.postgres.host,
    upstreamPort: ctx.postgres.port,
    database: BENCH_DB,
    user: BENCH_USER,
    authFile,
    authType: ctx.spec.auth,
    socketDir: dir,
    minClientConn: maxConcurrency(ctx.spec.concurrency),
  });
  const iniFile = path.join(dir, 'pgbouncer.ini');
  ownedFile(iniFile, ini, ctx.runAs);
  chmodSync(iniFile, 0o644);
  // Foreground under our supervision: `-d` needs a pidfile and hides the PID from us.
  const proc = new ManagedProcess([ctx.bins.pgbouncer, iniFile], {
    name: `pgbouncer:${config}`,
    cwd: dir,
    ...(ctx.runAs ? { uid: ctx.runAs.uid, gid: ctx.runAs.gid } : {}),
    logFile: path.join(dir, 'pgbouncer.log'),
    // SIGINT is a "safe" shutdown that waits for clients; SIGTERM closes at once, which is what a
    // finished benchmark wants.
    stopSignal: 'SIGTERM',
    hardSignal: 'SIGKILL',
  });
  const endpoint: Endpoint = { ...ctx.postgres, port };
  try {
    await waitForQuery(endpoint, 30_000, () => proc.alive() && !ctx.signal?.aborted);
  } catch (e) {
    await proc.stop(2000);
    fail(`pgbouncer for config "${config}" did not start`, e, proc);
  }
  ctx.log(
    `pgbouncer ${ctx.pgbouncerVersion ?? ''} for ${config} ready on 127.0.0.1:${port} (${hop.pool_mode}, pool ${hop.default_pool_size})`,
  );
  return { endpoint, component: component('pgbouncer', proc, port, ctx.pgbouncerVersion, config, 5_000) };
}

async function startProxy(
  c: Extract<ConfigSpec, { kind: 'proxy' }>,
  upstream: Endpoint,
  ctx: PathContext,
): Promise<{ endpoint: Endpoint; component: Component }> {
  if (!c.command) {
    throw new StackError(
      `config "${c.name}": the native provider needs a proxy "command" (only an image was given)`,
    );
  }
  const dir = ownedDir(path.join(ctx.root, `proxy-${c.name}`), undefined);
  const port = c.port ?? (await pickPort());
  const values = {
    port,
    host: '127.0.0.1',
    upstream_host: upstream.host,
    upstream_port: upstream.port,
    database: BENCH_DB,
    user: ctx.postgres.user,
    workdir: dir,
  };
  const argv = renderProxyCommand(c.command, values);
  for (const f of renderProxyFiles(c.files, values, (rel) =>
    readFileSync(path.resolve(ctx.matrixDir, rel), 'utf8'),
  )) {
    // 0600: a template may carry what the proxy needs to log in; the directory is the run's scratch.
    writeFileSync(path.join(dir, f.name), f.content, { mode: 0o600 });
  }
  const proc = new ManagedProcess(argv, {
    name: `proxy:${c.name}`,
    cwd: dir,
    env: c.env,
    logFile: path.join(dir, 'proxy.log'),
    stopSignal: 'SIGTERM',
    hardSignal: 'SIGKILL',
  });
  const endpoint: Endpoint = { ...upstream, port };
  try {
    await waitForTcp('127.0.0.1', port, c.ready_timeout, () => proc.alive() && !ctx.signal?.aborted);
    await waitForQuery(endpoint, c.ready_timeout, () => proc.alive() && !ctx.signal?.aborted);
  } catch (e) {
    await proc.stop(2000);
    fail(`proxy for config "${c.name}" did not start (${argv[0]})`, e, proc);
  }
  ctx.log(`proxy ${c.name} ready on 127.0.0.1:${port}`);
  return { endpoint, component: component('proxy', proc, port, undefined, c.name, 5_000) };
}
