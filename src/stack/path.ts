import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { StackError } from '../errors.js';
import type { Matrix } from '../matrix/load.js';
import { type ConfigSpec, type MatrixSpec, type PgbouncerHop, pgbouncerHopOf } from '../matrix/schema.js';
import { tenantDatabases, tenantRoles, tenantsOf } from '../matrix/tenants.js';
import { type ConfigTls, TLS_OFF } from '../matrix/tls.js';
import { workersOf } from '../matrix/workers.js';
import { registerSecret } from '../util/redact.js';
import { BENCH_DB, BENCH_USER, postgresSettings } from './cluster.js';
import type { FaultRelay } from './fault-relay.js';
import { groupDatabases, groupPools, groupProcessHop } from './group-pools.js';
import { pickPort, releasePort } from './ports.js';
import { withClient } from './ready.js';
import {
  proxyPlaceholderValues,
  renderPgbouncerIni,
  renderProxyCommand,
  renderProxyFiles,
  renderUserlist,
} from './render.js';
import { configRoles, createConfigRoles } from './roles.js';
import { clientSide } from './sizing.js';
import {
  basebackupArgs,
  createReplicationRole,
  dropSlot,
  REPLICATION_USER,
  replicationPgpass,
  standbySlot,
} from './standby.js';
import { clientTls, pgbouncerTlsSettings, type TlsPaths } from './tls.js';
import type {
  Component,
  ConfigPath,
  Counting,
  Endpoint,
  PgbouncerIniChange,
  PgbouncerWorker,
  StandbyNode,
} from './types.js';

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
  /** The replication role's own password (src/stack/standby.ts), generated when a config has a standby. */
  replicationPassword?: string;
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
  /**
   * pgbouncer.ini for where the provider puts the auth file, the socket and the TLS files;
   * `workerSocketDirs` (every worker's socket directory as this process sees it, in order) is
   * needed when the workers are peered; with `change`, as rewritten under load (settings added,
   * [databases] pointed at another server).
   */
  ini(where: {
    authFile: string;
    socketDir: string;
    tls?: TlsPaths;
    workerSocketDirs?: readonly string[];
    change?: PgbouncerIniChange;
  }): string;
  /** The workers are peered (`peer_id`, `[peers]`): decided before the run from the version (src/matrix/peering.ts). */
  peered: boolean;
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

/** A config's standby (src/stack/standby.ts), all decided but where its data and socket go. */
export interface StandbyLaunch {
  config: string;
  port: number;
  slot: string;
  /** The primary as the replication role: pg_basebackup's source and the standby's primary_conninfo. */
  primary: Endpoint;
  /** The standby as the harness's superuser: what the ready check queries. */
  endpoint: Endpoint;
  /** The password file line for the replication role (the provider writes it 0600). */
  pgpass: string;
  /** pg_basebackup's arguments for the data directory the provider chooses. */
  basebackup(dataDir: string): string[];
  /** The standby's server settings (the primary's, on its own port), with the provider's socket dir. */
  settings(socketDir?: string): Record<string, string | number | boolean>;
}

/**
 * How a provider starts each kind of component. A starter returns a component that answers
 * queries at the launch's endpoint, or throws having stopped whatever it started.
 */
export interface ComponentStarter {
  pgbouncer(l: PgbouncerLaunch): Promise<Component>;
  proxy(l: ProxyLaunch): Promise<Component>;
  /** A streaming standby, streaming when it returns (`standby: true` configs). */
  standby(l: StandbyLaunch): Promise<Component>;
  /** A config's fault relay (`fault_relay: true`), forwarding to `upstream` (src/stack/fault-relay.ts). */
  relay(config: string, upstream: Endpoint): Promise<FaultRelay>;
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
  const all = [...roles].flatMap(([config, r]) => [r, ...tenantRoles(r, tenantsOf(spec, config))]);
  const verifiers = await withClient(postgres, (c) =>
    createConfigRoles((sql, params) => c.query(sql, params), all, password),
  );
  verifiers.set(BENCH_USER, superSecret);
  for (const v of verifiers.values()) registerSecret(v);
  const env: PathEnv = { spec, postgres, roles, verifiers, matrixDir: path.dirname(matrix.file), log };
  if (spec.configs.some(hasStandby)) {
    // Its own password, not the run's (the superuser's and the config roles'): the standby's
    // password file then holds a credential that can replicate and nothing else.
    env.replicationPassword = randomBytes(18).toString('base64url');
    registerSecret(env.replicationPassword);
    await createReplicationRole({ ...postgres, database: 'postgres' }, env.replicationPassword);
  }
  return env;
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
  worker: { worker: number; workers: number; peered: boolean; upstream: Endpoint },
): PgbouncerLaunch {
  const peered = worker.peered && worker.workers > 1;
  return {
    config,
    hop,
    port,
    worker: worker.worker,
    workers: worker.workers,
    peered,
    endpoint: { ...asRole, port },
    readyAt: (socketDir) => (worker.workers > 1 ? { ...asRole, host: socketDir, port } : { ...asRole, port }),
    userlist: renderUserlist([
      [BENCH_USER, env.verifiers.get(BENCH_USER) ?? ''],
      ...[asRole.user, ...tenantRoles(asRole.user, tenantsOf(env.spec, config))].map(
        (u) => [u, env.verifiers.get(u) ?? ''] as const,
      ),
    ]),
    tls: tls.client !== 'disable' || tls.server !== 'disable',
    ini: ({ authFile, socketDir, tls: files, workerSocketDirs, change }) =>
      renderPgbouncerIni({
        ...(peered && workerSocketDirs ? { peers: { id: worker.worker, socketDirs: workerSocketDirs } } : {}),
        ...(files ? { tlsSettings: pgbouncerTlsSettings(tls, files) } : {}),
        hop: change?.settings ? { ...hop, settings: { ...hop.settings, ...change.settings } } : hop,
        listenPort: port,
        upstreamHost: change?.upstream?.host ?? worker.upstream.host,
        upstreamPort: change?.upstream?.port ?? worker.upstream.port,
        database: BENCH_DB,
        tenantDatabases: tenantDatabases(tenantsOf(env.spec, config)),
        user: BENCH_USER,
        authFile,
        authType: env.spec.auth,
        socketDir,
        ...clientSide(env.spec, config),
        reusePort: worker.workers > 1,
        groupPools: groupPools(env.spec, hop, BENCH_DB),
      }),
  };
}

function proxyLaunch(c: ProxyConfig, port: number, upstream: Endpoint, env: PathEnv): ProxyLaunch {
  return {
    config: c,
    port,
    endpoint: { ...upstream, port },
    render: (workdir) => {
      const values = proxyPlaceholderValues(c.placeholders, {
        port,
        upstream,
        database: BENCH_DB,
        workdir,
        matrixDir: env.matrixDir,
      });
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
  const role = env.roles.get(c.name) ?? BENCH_USER;
  // PostgreSQL side first: the standby streams before the pooler in front of the primary starts.
  const standby = hasStandby(c) ? await startStandby(c.name, role, env, starter, onStarted) : undefined;
  const p = await startClientSide(c, env, starter, onStarted, counting);
  if (!standby) return p;
  // Direct clients reach whichever of the two accepts writes (libpq multi-host), so new connections
  // after a failover land on the promoted standby; a pooler's upstream is the failover's to change.
  if (c.kind === 'direct') {
    p.endpoint = { ...p.endpoint, fallbacks: [{ host: standby.endpoint.host, port: standby.endpoint.port }] };
  }
  return { ...p, standby };
}

/** Whether a config asks for a standby (`standby: true`; an external stack has its own servers). */
export function hasStandby(c: ConfigSpec): boolean {
  return c.kind !== 'external' && c.standby === true;
}

/**
 * Base backup of the primary, then a standby streaming from it through the config's own slot; the
 * component's stop drops the slot (best effort: after a failover the old primary may be down).
 */
async function startStandby(
  config: string,
  role: string,
  env: PathEnv,
  starter: ComponentStarter,
  onStarted: (comp: Component) => void,
): Promise<StandbyNode> {
  const slot = standbySlot(role);
  const superuser: Endpoint = { ...env.postgres, user: BENCH_USER };
  await dropSlot(superuser, slot);
  if (!env.replicationPassword) throw new Error('internal: no replication password for a standby');
  const primary: Endpoint = { ...superuser, user: REPLICATION_USER, password: env.replicationPassword };
  const comp = await withPort(undefined, (port) =>
    starter.standby({
      config,
      port,
      slot,
      primary,
      endpoint: { ...superuser, port },
      pgpass: replicationPgpass(primary.host, primary.port, primary.password),
      basebackup: (dataDir) => basebackupArgs({ host: primary.host, port: primary.port, dataDir, slot }),
      settings: (socketDir) => postgresSettings(env.spec, port, socketDir),
    }),
  );
  const stop = comp.stop.bind(comp);
  comp.stop = async () => {
    await stop();
    await dropSlot(superuser, slot).catch(() => undefined);
  };
  onStarted(comp);
  env.log(`standby for ${config} streaming on 127.0.0.1:${comp.port} (slot ${slot}${where(comp, '; ')})`);
  return { endpoint: { ...superuser, port: comp.port }, component: comp, slot };
}

/** The pooler and proxy of a config (nothing for direct), client side first in `components`. */
async function startClientSide(
  c: ConfigSpec,
  env: PathEnv,
  starter: ComponentStarter,
  onStarted: (comp: Component) => void,
  counting?: Counting,
): Promise<ConfigPath> {
  const counts = (role: 'pgbouncer' | 'proxy') => (counting?.roles.includes(role) ? { counting } : {});
  const relay =
    c.kind !== 'external' && c.fault_relay ? await startRelay(c.name, env, starter, onStarted) : undefined;
  // With a fault relay, everything of the path that would reach PostgreSQL reaches the relay instead.
  const upstream = relay ? { ...env.postgres, port: relay.component.port } : env.postgres;
  const asRole: Endpoint = { ...upstream, user: env.roles.get(c.name) ?? BENCH_USER };
  const relayed = relay ? { relay: relay.control } : {};
  const components: Component[] = relay ? [relay.component] : [];
  if (c.kind === 'direct') {
    const endpoint = { ...asRole, ...clientTls(c.tls?.client ?? 'disable', env.caFile) };
    return { config: c.name, endpoint, components, ...relayed };
  }
  let endpoint = asRole;
  let admin: Endpoint | undefined;
  const hop = pgbouncerHopOf(c);
  let workers: PgbouncerWorker[] | undefined;
  let targets: ConfigPath['groupTargets'];
  if (hop) {
    const fixed = c.kind === 'pgbouncer' ? c.port : undefined;
    const n = workersOf(c);
    const comps = await withPort(fixed, (port) =>
      startWorkers(n, onStarted, (w) =>
        starter.pgbouncer({
          ...pgbouncerLaunch(c.name, hop, port, asRole, env, c.tls ?? TLS_OFF, {
            worker: w,
            workers: n,
            peered: c.kind === 'pgbouncer' && c.peering === true,
            upstream,
          }),
          ...counts('pgbouncer'),
        }),
      ),
    );
    const comp = comps[0] as Component;
    endpoint = { ...asRole, port: comp.port };
    admin = { ...endpoint, database: 'pgbouncer', user: BENCH_USER };
    if (n > 1) workers = workerAdmins(comps, admin);
    const own = await startGroupProcesses(c.name, hop, asRole, env, c.tls ?? TLS_OFF, starter, onStarted);
    if (own.length > 0) {
      comps.push(...own.map((o) => o.component));
      workers = [
        { worker: 1, admin, component: comp },
        ...own.map((o, i) => ({ worker: i + 2, admin: o.admin, component: o.component, group: o.group })),
      ];
      targets = Object.fromEntries(own.map((o) => [o.group, { port: o.component.port }]));
    }
    components.unshift(...comps);
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
  const pools = hop ? groupPools(env.spec, hop, BENCH_DB) : [];
  if (pools.length > 0) targets = groupDatabases(pools);
  const own = targets ? { groupTargets: targets } : {};
  if (workers) {
    const peered = c.kind === 'pgbouncer' && c.peering === true;
    return {
      config: c.name,
      endpoint,
      components,
      pgbouncerWorkers: workers,
      ...(peered ? { peered } : {}),
      ...own,
      ...relayed,
    };
  }
  return {
    config: c.name,
    endpoint,
    components,
    ...own,
    ...(admin ? { pgbouncerAdmin: admin } : {}),
    ...relayed,
  };
}

/** A config's fault relay, reported as soon as it is up so a later failure stops it too. */
async function startRelay(
  config: string,
  env: PathEnv,
  starter: ComponentStarter,
  onStarted: (comp: Component) => void,
): Promise<FaultRelay> {
  const relay = await starter.relay(config, env.postgres);
  onStarted(relay.component);
  env.log(
    `fault relay for ${config} ready on 127.0.0.1:${relay.component.port} -> 127.0.0.1:${env.postgres.port}`,
  );
  return relay;
}

/**
 * `pgbouncer_per_group`: one more PgBouncer process per mix group, each on a port of its own with
 * the group's share of the pool (src/stack/group-pools.ts), each reported as soon as it is up.
 * Their admin consoles are reached over TCP on their own ports, so the samplers read every process.
 */
async function startGroupProcesses(
  config: string,
  hop: PgbouncerHop,
  asRole: Endpoint,
  env: PathEnv,
  tls: ConfigTls,
  starter: ComponentStarter,
  onStarted: (comp: Component) => void,
): Promise<Array<{ group: string; component: Component; admin: Endpoint }>> {
  const pools = groupPools(env.spec, hop, BENCH_DB, 'pgbouncer_per_group');
  const out: Array<{ group: string; component: Component; admin: Endpoint }> = [];
  for (const [i, pool] of pools.entries()) {
    const ghop = groupProcessHop(hop, pool);
    const component = await withPort(undefined, (port) =>
      starter.pgbouncer(
        pgbouncerLaunch(config, ghop, port, asRole, env, tls, {
          worker: i + 2,
          workers: pools.length + 1,
          peered: false,
          upstream: asRole,
        }),
      ),
    );
    component.name = `group-${pool.group}`;
    onStarted(component);
    const admin = { ...asRole, port: component.port, database: 'pgbouncer', user: BENCH_USER };
    out.push({ group: pool.group, component, admin });
    env.log(
      `pgbouncer for ${config} group ${pool.group} ready on 127.0.0.1:${component.port} (pool ${pool.poolSize})`,
    );
  }
  return out;
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
