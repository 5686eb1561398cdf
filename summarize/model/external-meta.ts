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
