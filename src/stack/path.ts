import { readFileSync } from 'node:fs';
import path from 'node:path';
import { StackError } from '../errors.js';
import type { Matrix } from '../matrix/load.js';
import { type ConfigSpec, type MatrixSpec, type PgbouncerHop, pgbouncerHopOf } from '../matrix/schema.js';
import { tenantDatabases, tenantRoles } from '../matrix/tenants.js';
import { type ConfigTls, TLS_OFF } from '../matrix/tls.js';
import { workersOf } from '../matrix/workers.js';
import { registerSecret } from '../util/redact.js';
import { BENCH_DB, BENCH_USER } from './cluster.js';
import { pickPort, releasePort } from './ports.js';
import { withClient } from './ready.js';
import { renderPgbouncerIni, renderProxyCommand, renderProxyFiles, renderUserlist } from './render.js';
import { configRoles, createConfigRoles } from './roles.js';
import { clientSide } from './sizing.js';
import { clientTls, pgbouncerTlsSettings, type TlsPaths } from './tls.js';
import type { Component, ConfigPath, Counting, Endpoint, PgbouncerWorker } from './types.js';

/**
 * What a config's path is, for every provider: direct is PostgreSQL itself; a pgbouncer config is
 * its PgBouncer; a proxy config is its proxy, optionally in front of its own PgBouncer. Ports,
 * endpoints, pgbouncer.ini, userlist.txt and the proxy's placeholders are decided here; a provider
 * only says how a PgBouncer or a proxy starts (a local process, a container) with a
 * `ComponentStarter`.
 */

export type ProxyConfig = Extract<ConfigSpec, { kind: 'proxy' }>;

/** What every path of a run shares, known once PostgreSQL is up and the config roles exist. */
export interface PathEnv {
  spec: MatrixSpec;
  /** PostgreSQL as the harness's superuser, on the bench database. */
  postgres: Endpoint;
  /** Config name -> its login role (src/stack/roles.ts). */
  roles: Map<string, string>;
  /** SCRAM verifiers by role, the superuser's included, for PgBouncer's auth_file. */
  verifiers: ReadonlyMap<string, string>;
  /** Proxy `files:` paths are relative to the matrix file. */
  matrixDir: string;
  log: (msg: string) => void;
  /** The run's CA certificate on the host, when a config uses TLS (pgbench's verify-full). */
  caFile?: string;
}

/** A config's PgBouncer (one of its workers), all decided but where its files go. */
export interface PgbouncerLaunch {
  config: string;
  hop: PgbouncerHop;
  port: number;
  /** 1-based, of `workers` PgBouncer processes sharing the port (so_reuseport when more than 1). */
  worker: number;
  workers: number;
  /** Where clients reach it, as the config's role. */
  endpoint: Endpoint;
  /**
   * What the ready check queries, given the host path of this worker's socket directory: the TCP
   * endpoint for a single process; with several, the worker's own unix socket (TCP may land on any).
   */
  readyAt(socketDir: string): Endpoint;
  /** userlist.txt: the superuser's (samplers, admin console) and the config role's SCRAM verifiers. */
  userlist: string;
  /** pgbouncer.ini for where the provider puts the auth file, the socket and the TLS files. */
  ini(where: { authFile: string; socketDir: string; tls?: TlsPaths }): string;
  /** Whether this PgBouncer needs the TLS files (its config's `tls:`). */
  tls: boolean;
  /** A cost cell counts this PgBouncer (src/stack/types.ts). */
  counting?: Counting;
}

/** A config's proxy, all decided but its working directory. */
export interface ProxyLaunch {
  config: ProxyConfig;
  port: number;
  /** Where clients reach it; what the ready check queries. */
  endpoint: Endpoint;
  /** The command (when the config has one) and `files:`, rendered for {workdir} as the proxy sees it. */
  render(workdir: string): { command?: string[]; files: Array<{ name: string; content: string }> };
  /** A cost cell counts this proxy (src/stack/types.ts). */
  counting?: Counting;
}

/**
 * How a provider starts each kind of component. A starter returns a component that answers
 * queries at the launch's endpoint, or throws having stopped whatever it started.
 */
export interface ComponentStarter {
  pgbouncer(l: PgbouncerLaunch): Promise<Component>;
  proxy(l: ProxyLaunch): Promise<Component>;
}

/**
 * What the paths of a run share, once PostgreSQL is up: the config roles (one login role per
 * config, src/stack/roles.ts) are created with the run's password, and the SCRAM verifier of each
 * plus the superuser's (`superSecret`, from pg_authid) kept for PgBouncer and out of logs.
 */
export async function preparePaths(
  postgres: Endpoint,
  matrix: Matrix,
  password: string,
  superSecret: string,
  log: (msg: string) => void,
): Promise<PathEnv> {
  const spec = matrix.spec;
  const roles = configRoles(spec.configs);
  // Each config's tenant roles (`<role>_r<j>`) are made with it: they name the config too.
  const all = [...roles.values()].flatMap((r) => [r, ...tenantRoles(r, spec.tenants)]);
  const verifiers = await withClient(postgres, (c) =>
    createConfigRoles((sql, params) => c.query(sql, params), all, password),
  );
  verifiers.set(BENCH_USER, superSecret);
  for (const v of verifiers.values()) registerSecret(v);
  return { spec, postgres, roles, verifiers, matrixDir: path.dirname(matrix.file), log };
}

/** `fixed` or a free port for `start`; the port is given back when the start fails. */
async function withPort<T>(fixed: number | undefined, start: (port: number) => Promise<T>): Promise<T> {
  const port = fixed ?? (await pickPort());
  try {
    return await start(port);
  } catch (e) {
    releasePort(port);
    throw e;
  }
}

/** ` (container 0123456789ab, host pid 42)` for a container (`sep` instead of ` (`); nothing for a process. */
export function where(comp: Component, sep = ' ('): string {
  if (!comp.containerId) return '';
  return `${sep}container ${comp.containerId.slice(0, 12)}, host pid ${comp.pid}${sep === ' (' ? ')' : ''}`;
}

function pgbouncerLaunch(
  config: string,
  hop: PgbouncerHop,
  port: number,
  asRole: Endpoint,
  env: PathEnv,
  tls: ConfigTls,
  worker = { worker: 1, workers: 1 },
): PgbouncerLaunch {
  return {
    config,
    hop,
    port,
    ...worker,
    endpoint: { ...asRole, port },
    readyAt: (socketDir) => (worker.workers > 1 ? { ...asRole, host: socketDir, port } : { ...asRole, port }),
    userlist: renderUserlist([
      [BENCH_USER, env.verifiers.get(BENCH_USER) ?? ''],
      ...[asRole.user, ...tenantRoles(asRole.user, env.spec.tenants)].map(
        (u) => [u, env.verifiers.get(u) ?? ''] as const,
      ),
    ]),
    tls: tls.client !== 'disable' || tls.server !== 'disable',
    ini: ({ authFile, socketDir, tls: files }) =>
      renderPgbouncerIni({
        ...(files ? { tlsSettings: pgbouncerTlsSettings(tls, files) } : {}),
        hop,
        listenPort: port,
        upstreamHost: env.postgres.host,
        upstreamPort: env.postgres.port,
        database: BENCH_DB,
        tenantDatabases: tenantDatabases(env.spec.tenants),
        user: BENCH_USER,
        authFile,
        authType: env.spec.auth,
        socketDir,
        ...clientSide(env.spec, config),
        reusePort: worker.workers > 1,
      }),
  };
}

function proxyLaunch(c: ProxyConfig, port: number, upstream: Endpoint, env: PathEnv): ProxyLaunch {
  return {
    config: c,
    port,
    endpoint: { ...upstream, port },
    render: (workdir) => {
      const values = {
        port,
        host: '127.0.0.1',
        upstream_host: upstream.host,
        upstream_port: upstream.port,
        database: BENCH_DB,
        user: upstream.user,
        workdir,
        matrix_dir: env.matrixDir,
      };
      const files = renderProxyFiles(c.files, values, (rel) =>
        readFileSync(path.resolve(env.matrixDir, rel), 'utf8'),
      );
      return { ...(c.command ? { command: renderProxyCommand(c.command, values) } : {}), files };
    },
  };
}

/**
 * Starts a config's path, PostgreSQL side first. `onStarted` hears of each component as soon as it
 * is up, so a stop-all finds it even when a later one fails (pathLifecycle stops those).
 */
export async function startConfigPath(
  c: ConfigSpec,
  env: PathEnv,
  starter: ComponentStarter,
  onStarted: (comp: Component) => void,
  counting?: Counting,
): Promise<ConfigPath> {
  const counts = (role: 'pgbouncer' | 'proxy') => (counting?.roles.includes(role) ? { counting } : {});
  const asRole: Endpoint = { ...env.postgres, user: env.roles.get(c.name) ?? BENCH_USER };
  if (c.kind === 'direct') {
    const endpoint = { ...asRole, ...clientTls(c.tls?.client ?? 'disable', env.caFile) };
    return { config: c.name, endpoint, components: [] };
  }
  const components: Component[] = [];
  let endpoint = asRole;
  let admin: Endpoint | undefined;
  const hop = pgbouncerHopOf(c);
  let workers: PgbouncerWorker[] | undefined;
  if (hop) {
    const fixed = c.kind === 'pgbouncer' ? c.port : undefined;
    const n = workersOf(c);
    const comps = await withPort(fixed, (port) =>
      startWorkers(n, onStarted, (w) =>
        starter.pgbouncer({
          ...pgbouncerLaunch(c.name, hop, port, asRole, env, c.tls ?? TLS_OFF, { worker: w, workers: n }),
          ...counts('pgbouncer'),
        }),
      ),
    );
    const comp = comps[0] as Component;
    components.unshift(...comps);
    endpoint = { ...asRole, port: comp.port };
    admin = { ...endpoint, database: 'pgbouncer', user: BENCH_USER };
    if (n > 1) workers = workerAdmins(comps, admin);
    env.log(
      `pgbouncer ${comp.version ?? ''} for ${c.name} ready on 127.0.0.1:${comp.port} ` +
        `(${hop.pool_mode}, pool ${hop.default_pool_size}${n > 1 ? ` per worker, ${n} workers` : ''}${where(comp, '; ')})`,
    );
  }
  if (c.kind === 'proxy') {
    const upstream = endpoint;
    const comp = await withPort(c.port, (port) =>
      starter.proxy({ ...proxyLaunch(c, port, upstream, env), ...counts('proxy') }),
    );
    onStarted(comp);
    components.unshift(comp);
    endpoint = { ...upstream, port: comp.port };
    env.log(`proxy ${c.name}${comp.image ? ` (${comp.image})` : ''} ready on 127.0.0.1:${comp.port}`);
  }
  // pgbench's side of the path: TLS as the config says; admin and sampler connections stay plain.
  endpoint = { ...endpoint, ...clientTls(c.tls?.client ?? 'disable', env.caFile) };
  if (workers) return { config: c.name, endpoint, components, pgbouncerWorkers: workers };
  return { config: c.name, endpoint, components, ...(admin ? { pgbouncerAdmin: admin } : {}) };
}

/**
 * Starts the PgBouncer processes of one config one after the other (the first binds the port, the
 * others join it through so_reuseport); each is reported as soon as it is up, so a failure of a
 * later one stops the earlier ones (pathLifecycle).
 */
async function startWorkers(
  n: number,
  onStarted: (comp: Component) => void,
  start: (worker: number) => Promise<Component>,
): Promise<Component[]> {
  const comps: Component[] = [];
  for (let w = 1; w <= n; w++) {
    const comp = await start(w);
    if (n > 1) comp.name = `worker-${w}`;
    onStarted(comp);
    comps.push(comp);
  }
  return comps;
}

/** Each worker's admin console through its own unix socket directory. */
function workerAdmins(comps: Component[], admin: Endpoint): PgbouncerWorker[] {
  return comps.map((component, i) => {
    if (!component.socketDir)
      throw new StackError(`internal: pgbouncer worker ${i + 1} has no socket directory`);
    return { worker: i + 1, admin: { ...admin, host: component.socketDir }, component };
  });
}
