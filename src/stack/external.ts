import path from 'node:path';
import { MissingToolError, StackError } from '../errors.js';
import type { ExternalConfigSpec } from '../matrix/schema.js';
import { initArgv, pgbenchEnv } from '../pgbench/argv.js';
import { localPgbench } from '../pgbench/local-runner.js';
import { extractErrorLines } from '../pgbench/summary.js';
import { binaryVersion, findPgbench, INSTALL_HINT } from './binaries.js';
import { checkData, checkEndpoints, dataEndpoint, dataTargets, onEndpoint } from './external-check.js';
import { describeTargets, type ExternalTargets, externalTargets } from './external-endpoints.js';
import type {
  Component,
  ComponentRole,
  ConfigPath,
  PgbenchRunner,
  Provider,
  Stack,
  StartOptions,
} from './types.js';

/** A stack bench did not start: reached by DSN, never started, stopped or restarted by bench. */
export interface ExternalStack extends Stack {
  provider: 'external';
  /** Each config's endpoints (the path, the admin console, PostgreSQL directly). */
  targets: ReadonlyMap<string, ExternalTargets>;
}

export function isExternal(s: Stack): s is ExternalStack {
  return s.provider === 'external';
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A local process the matrix named (`pids:`): sampled from /proc, never signalled. */
function localComponent(
  role: ComponentRole,
  pid: number | undefined,
  port: number,
  config?: string,
): Component {
  return {
    role,
    ...(config === undefined ? {} : { config }),
    ...(pid === undefined ? {} : { pid }),
    port,
    alive: () => pid === undefined || pidAlive(pid),
    logTail: () => '',
    stop: async () => {},
  };
}

function pathOf(c: ExternalConfigSpec, t: ExternalTargets): ConfigPath {
  const port = t.main.endpoint.port;
  const components = [
    ...(c.pids.proxy !== undefined ? [localComponent('proxy', c.pids.proxy, port, c.name)] : []),
    ...(c.pids.pgbouncer !== undefined ? [localComponent('pgbouncer', c.pids.pgbouncer, port, c.name)] : []),
    ...(c.pids.postgres !== undefined
      ? [localComponent('postgres', c.pids.postgres, dataEndpoint(t).endpoint.port)]
      : []),
  ];
  return {
    config: c.name,
    endpoint: t.main.endpoint,
    components,
    ...(t.admin ? { pgbouncerAdmin: { ...t.admin.endpoint, database: 'pgbouncer' } } : {}),
  };
}

/**
 * Closes the pooler's server connections of the config's database through its admin console
 * (`KILL db`, then `RESUME db`), so they are not counted in the next config's cells. Returns
 * what was done, for the cell's `prepared` list or the log.
 */
export async function drainExternal(p: ConfigPath): Promise<string> {
  if (!p.pgbouncerAdmin)
    return `not drained: no admin_dsn for ${p.config}, its pooler keeps its server connections`;
  const db = p.endpoint.database;
  try {
    await onEndpoint(p.pgbouncerAdmin, async (c) => {
      await c.query(`KILL "${db.replaceAll('"', '""')}"`);
      await c.query(`RESUME "${db.replaceAll('"', '""')}"`);
    });
    return `drained pgbouncer pool of ${db} through the admin console (${p.config})`;
  } catch (e) {
    return `drain through the admin console failed (${p.config}): ${(e as Error).message}`;
  }
}

function byNameOf(targets: readonly ExternalTargets[], config: string): ExternalTargets {
  const t = targets.find((x) => x.config === config);
  if (!t) throw new StackError(`unknown config ${config}`);
  return t;
}

/** pgbench -i once per database that may be initialized (checkData decided which, before). */
async function initAll(
  targets: readonly ExternalTargets[],
  decisions: Awaited<ReturnType<typeof checkData>>,
  ctx: { pgbench: PgbenchRunner; scale: number; cwd: string; log: (m: string) => void; signal?: AbortSignal },
): Promise<Record<string, unknown>> {
  const data: Record<string, unknown> = {};
  for (const t of dataTargets(targets)) {
    const e = dataEndpoint(t);
    const d = decisions.get(e.name);
    if (d?.action !== 'init') {
      data[e.name] = { action: 'used as found', scale: d?.scale };
      if (d?.scale !== undefined && d.scale !== ctx.scale)
        ctx.log(
          `warning: ${e.name} holds pgbench data of scale ${d.scale}, not the matrix's ${ctx.scale}; it is used as it is`,
        );
      continue;
    }
    ctx.log(`initializing pgbench data in ${e.name}, scale ${ctx.scale} (init: true, no other table there)`);
    const t0 = Date.now();
    const r = await ctx.pgbench.run({
      args: initArgv(e.endpoint, ctx.scale),
      cwd: ctx.cwd,
      env: pgbenchEnv(e.endpoint),
      timeoutMs: 30 * 60_000,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    if (r.exitCode !== 0)
      throw new StackError(
        `pgbench -i on ${e.name} failed (exit ${r.exitCode})`,
        extractErrorLines(r.stderr).join('\n'),
      );
    data[e.name] = { action: 'pgbench -i', scale: ctx.scale, initMs: Date.now() - t0 };
  }
  return data;
}

/** The stack by DSN (docs/external.md): bench checks, samples and drives it; it starts nothing. */
export const externalProvider: Provider = {
  name: 'external',
  preflight() {
    // Only pgbench runs here: no PostgreSQL server binaries, no pgbouncer.
    if (!findPgbench()) throw new MissingToolError('pgbench', INSTALL_HINT);
  },
  async start(opts: StartOptions): Promise<Stack> {
    const { spec } = opts.matrix;
    const configs = spec.configs.filter((c): c is ExternalConfigSpec => c.kind === 'external');
    const targets = externalTargets(configs, path.dirname(opts.matrix.file));
    const answered = await checkEndpoints(targets);
    opts.log(`external stack: every endpoint of ${targets.length} config(s) answered`);
    const decisions = await checkData(targets, spec.init === true);
    // Every pooler bench may drain starts drained: no config's first cell counts another's server connections.
    for (const c of configs) {
      const t = byNameOf(targets, c.name);
      if (t.admin) opts.log(await drainExternal(pathOf(c, t)));
    }
    const bin = findPgbench();
    if (!bin) throw new MissingToolError('pgbench', INSTALL_HINT);
    const pgbench = localPgbench(bin, await binaryVersion(bin));
    const byName = new Map(targets.map((t) => [t.config, t]));
    const paths = new Map<string, ConfigPath>();
    const first = targets[0];
    if (!first) throw new StackError('an external matrix without configs');
    const firstPid = configs.find((c) => c.pids.postgres !== undefined)?.pids.postgres;
    const specOf = (config: string) => {
      const c = configs.find((x) => x.name === config);
      const t = byName.get(config);
      if (!c || !t) throw new StackError(`unknown config ${config}`);
      return { c, t };
    };
    const versions: Record<string, string> = { postgres: answered.postgres, pgbench: pgbench.version };
    if (answered.pgbouncer) versions.pgbouncer = answered.pgbouncer;
    const stack: ExternalStack = {
      provider: 'external',
      targets: byName,
      postgres: dataEndpoint(first).endpoint,
      postgresComponent: localComponent('postgres', firstPid, dataEndpoint(first).endpoint.port),
      paths,
      roles: new Map(targets.map((t) => [t.config, t.main.endpoint.user])),
      pgbench,
      versions,
      details: {
        network: 'external (reached by DSN)',
        external: describeTargets(targets, new Map(configs.map((c) => [c.name, c.pids]))),
        init: spec.init === true,
      },
      async startPath(config) {
        const { c, t } = specOf(config);
        const p = paths.get(config) ?? pathOf(c, t);
        paths.set(config, p);
        return p;
      },
      async stopPath(config) {
        const p = paths.get(config);
        if (!p) return;
        paths.delete(config);
        // Between configs: the pooler's server connections must not be counted in the next config's cells.
        if (p.pgbouncerAdmin) opts.log(await drainExternal(p));
      },
      async restartPath(config) {
        const dead = paths
          .get(config)
          ?.components.filter((c) => !c.alive())
          .map((c) => `${c.role} pid ${c.pid}`);
        throw new StackError(
          `config "${config}": ${dead?.join(', ') || 'a component'} exited; bench cannot restart the components of an external stack`,
        );
      },
      async stop() {
        // The pooler is the user's: it is left drained, as bench found it after the first drain.
        for (const p of paths.values()) if (p.pgbouncerAdmin) opts.log(await drainExternal(p));
        paths.clear();
      },
      loadData: (cwd, signal) =>
        initAll(targets, decisions, {
          pgbench,
          scale: spec.scale,
          cwd,
          log: opts.log,
          ...(signal ? { signal } : {}),
        }),
    };
    return stack;
  },
};
