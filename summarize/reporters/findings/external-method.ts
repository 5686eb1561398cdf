/** What run.json's `stack` says about an external stack (src/stack/external-endpoints.ts writes it). */
export interface ExternalMeta {
  configs: Record<string, { dsn?: string; admin?: string; postgres?: string; pids: Record<string, number> }>;
  /** Per database: what bench did with the pgbench tables. */
  data: Record<string, { action?: string; scale?: number }>;
}

const obj = (v: unknown): Record<string, unknown> | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const endpoint = (v: unknown): string | undefined => {
  const e = obj(v)?.endpoint;
  return typeof e === 'string' ? e : undefined;
};

/** Reads run.json's `stack` defensively (older or foreign run directories may lack any of it). */
export function externalMeta(stack: unknown): ExternalMeta | undefined {
  const ext = obj(obj(stack)?.external);
  if (!ext) return undefined;
  const configs: ExternalMeta['configs'] = {};
  for (const [name, v] of Object.entries(ext)) {
    const c = obj(v) ?? {};
    const pids = Object.fromEntries(
      Object.entries(obj(c.pids) ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number'),
    );
    const dsn = endpoint(c.dsn);
    const admin = endpoint(c.admin_dsn);
    const postgres = endpoint(c.postgres_dsn);
    configs[name] = {
      ...(dsn ? { dsn } : {}),
      ...(admin ? { admin } : {}),
      ...(postgres ? { postgres } : {}),
      pids,
    };
  }
  const data: ExternalMeta['data'] = {};
  for (const [db, v] of Object.entries(obj(obj(stack)?.data) ?? {})) {
    const d = obj(v) ?? {};
    data[db] = {
      ...(typeof d.action === 'string' ? { action: d.action } : {}),
      ...(typeof d.scale === 'number' ? { scale: d.scale } : {}),
    };
  }
  return { configs, data };
}

const code = (s: string) => `\`${s}\``;
const names = (xs: string[]) => (xs.length === 0 ? 'none' : xs.map(code).join(', '));
/** ` for a, b; not for c (why)`: each half only when it names a config. */
const forWhich = (yes: string[], no: string[], why: string) =>
  [
    yes.length > 0 ? ` for ${names(yes)}` : ' for no config',
    no.length > 0 ? `; not for ${names(no)} (${why})` : '',
  ].join('');

/** The Setup line: where the stack was, instead of "every component listens on 127.0.0.1". */
export function externalSetupLine(m: ExternalMeta): string {
  const each = Object.entries(m.configs).map(([name, c]) => `${code(name)} at ${code(c.dsn ?? '?')}`);
  return (
    `- Provider: external. bench started nothing: it reached a stack that already ran by DSN (${each.join('; ')}). ` +
    'Passwords came from the environment or ~/.pgpass and are stored in no result file.'
  );
}

/**
 * The method section of an external run: the pgbench data, what isolation was possible, and what
 * was sampled and what was not, each said from run.json and the cell records.
 */
export function externalMethodLines(
  m: ExternalMeta,
  totals: { cellsIsolationChecked?: number; cellsWithForeignBackends?: number },
): string[] {
  const cfg = Object.entries(m.configs);
  const withAdmin = cfg.filter(([, c]) => c.admin).map(([n]) => n);
  const withDirect = cfg.filter(([, c]) => c.postgres).map(([n]) => n);
  const without = (xs: string[]) => cfg.map(([n]) => n).filter((n) => !xs.includes(n));
  const data = Object.entries(m.data).map(([db, d]) =>
    d.action === 'pgbench -i'
      ? `${code(db)}: pgbench -i -s ${d.scale ?? '?'} (the matrix said init: true and the database held no other table)`
      : `${code(db)}: used as found${d.scale !== undefined ? ` (scale ${d.scale})` : ''}, no pgbench -i`,
  );
  const procs = cfg
    .filter(([, c]) => Object.keys(c.pids).length > 0)
    .map(([n, c]) => `${code(n)}: ${Object.keys(c.pids).join(', ')}`);
  // summary.json's totals, so the numbers here are the ones the tables and the JSON carry.
  const checked = totals.cellsIsolationChecked ?? 0;
  const foreign = totals.cellsWithForeignBackends ?? 0;
  return [
    `- pgbench data: ${data.length > 0 ? data.join('; ') : 'not recorded'}.`,
    '- Isolation on an external stack: bench cannot stop or restart a remote pooler, so it cannot guarantee that only the config under test holds server connections. ' +
      "It drained a pooler through its admin console (KILL and RESUME of the config's database, which also disconnects that database's other clients on the pooler) before each cell and after each config's block" +
      `${forWhich(withAdmin, without(withAdmin), 'no admin_dsn')}. ` +
      "Server backends are attributed by PostgreSQL user (each config's dsn user): other sessions of that user on that database count as the config's. " +
      `Client backends of other users were counted before each cell and reported, never enforced: ${checked} cell${checked === 1 ? '' : 's'} recorded the count, ${foreign} found some.`,
    `- Sampled on the external stack: pg_stat_activity over postgres_dsn${forWhich(withDirect, without(withDirect), 'no direct PostgreSQL endpoint, so no server backend counts')}. ` +
      `PgBouncer SHOW POOLS/STATS over admin_dsn${forWhich(withAdmin, [], '')}. ` +
      `RSS/PSS and CPU only for local processes the matrix named by PID (${procs.length > 0 ? procs.join('; ') : 'none'}); for every other component they were not available, which is why their memory and CPU columns are empty. ` +
      'CHECKPOINT and VACUUM ran where the endpoint allowed them; each cell records what was done or refused.',
  ];
}
