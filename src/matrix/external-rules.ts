import type { z } from 'zod';
import { parseDsn } from './dsn.js';
import type { ExternalConfigSpec, ParsedMatrix } from './schema.js';

type Ctx = z.RefinementCtx;
type Issue = { path: (string | number)[]; message: string };

const DSN_FIELDS = ['dsn', 'admin_dsn', 'postgres_dsn'] as const;
const PARTS = ['host', 'port', 'database', 'user'] as const;

/** One external config's endpoint fields: a dsn or host/user (+ port, database), each DSN parseable. */
function endpointIssues(c: ExternalConfigSpec, i: number): Issue[] {
  const out: Issue[] = [];
  const parts = PARTS.filter((k) => c[k] !== undefined);
  if (c.dsn !== undefined && parts.length > 0)
    out.push({
      path: ['configs', i, parts[0] as string],
      message: 'either dsn or host/port/database/user, not both',
    });
  if (c.dsn === undefined && (c.host === undefined || c.user === undefined))
    out.push({
      path: ['configs', i, 'dsn'],
      message: 'a dsn (postgresql://user@host:port/database), or host and user (port and database optional)',
    });
  for (const f of DSN_FIELDS) {
    const text = c[f];
    if (text === undefined) continue;
    const r = parseDsn(text);
    if (!r.ok) out.push({ path: ['configs', i, f], message: r.error });
  }
  return out;
}

/**
 * `provider: external` and `kind: external` go together (an external stack starts nothing, so a
 * config it would have to start cannot be in it); `init` only means something for an external stack.
 */
export function externalIssues(m: Pick<ParsedMatrix, 'provider' | 'configs' | 'init'>): Issue[] {
  const out: Issue[] = [];
  const external = m.provider === 'external';
  m.configs.forEach((c, i) => {
    if (external && c.kind !== 'external')
      out.push({
        path: ['configs', i, 'kind'],
        message: 'kind external (provider: external starts nothing: every config names its endpoint by dsn)',
      });
    if (!external && c.kind === 'external')
      out.push({
        path: ['provider'],
        message: `external (configs[${i}] "${c.name}" is kind external: it names a stack that runs elsewhere)`,
      });
    if (c.kind === 'external') out.push(...endpointIssues(c, i));
  });
  if (!external && m.init !== undefined)
    out.push({
      path: ['init'],
      message: 'no init field unless provider is external (bench initializes the cluster it starts itself)',
    });
  return out;
}

export function externalRules(m: Pick<ParsedMatrix, 'provider' | 'configs' | 'init'>, ctx: Ctx): void {
  for (const issue of externalIssues(m)) ctx.addIssue({ code: 'custom', ...issue });
}
