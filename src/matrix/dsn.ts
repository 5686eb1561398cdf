/**
 * Connection strings of an external stack (`provider: external`), parsed without any I/O: a URL
 * (`postgresql://user@host:5432/db`) or libpq key=value pairs
 * (`host=h port=5432 dbname=db user=u`). A password in either form is refused: the matrix text is
 * stored in run.json, and passwords come from the environment or ~/.pgpass only.
 */
export interface DsnTarget {
  host: string;
  port: number;
  database: string;
  user: string;
}

export type DsnParse = { ok: true; target: DsnTarget } | { ok: false; error: string };

const DEFAULT_PORT = 5432;
// sslmode and the like are refused rather than ignored: TLS is the config's `tls:` (one place).
const KNOWN_KEYS = new Set(['host', 'hostaddr', 'port', 'dbname', 'user']);

function fromParts(p: Record<string, string | undefined>): DsnParse {
  if (p.password !== undefined) {
    return {
      ok: false,
      error: 'a connection string without a password (give it in the environment or ~/.pgpass)',
    };
  }
  const host = p.host || p.hostaddr;
  if (!host) return { ok: false, error: 'a connection string that names a host' };
  if (host.includes(',')) return { ok: false, error: 'a connection string with one host (not a list)' };
  const port = p.port ? Number(p.port) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    return { ok: false, error: `a port from 1 to 65535 (got ${JSON.stringify(p.port)})` };
  if (!p.user) return { ok: false, error: 'a connection string that names the user' };
  return { ok: true, target: { host, port, database: p.dbname || p.user, user: p.user } };
}

function parseUrl(text: string): DsnParse {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return { ok: false, error: 'a postgresql:// URL or libpq key=value pairs' };
  }
  if (u.password !== '') return fromParts({ password: '' });
  const q = Object.fromEntries(u.searchParams);
  const unknown = Object.keys(q).filter((k) => !KNOWN_KEYS.has(k) && k !== 'password');
  if (unknown.length > 0)
    return {
      ok: false,
      error: `only ${[...KNOWN_KEYS].join(', ')} as URL parameters (got ${unknown.join(', ')}; TLS is the config's tls.client)`,
    };
  const dbname = decodeURIComponent(u.pathname.replace(/^\//, ''));
  return fromParts({
    ...q,
    host: u.hostname.replace(/^\[(.*)\]$/, '$1') || q.host,
    port: u.port || q.port,
    user: decodeURIComponent(u.username) || q.user,
    dbname: dbname || q.dbname,
  });
}

/** libpq key=value pairs; values may be single-quoted with \' and \\ escapes. */
function parsePairs(text: string): DsnParse {
  const parts: Record<string, string> = {};
  const re = /\s*([a-z_]+)\s*=\s*('((?:\\.|[^'\\])*)'|[^\s']*)/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  // biome-ignore lint/suspicious/noAssignInExpressions: the sticky regex walks the string
  while ((m = re.exec(text)) !== null) {
    const key = m[1] as string;
    parts[key] = m[3] !== undefined ? m[3].replace(/\\(.)/g, '$1') : (m[2] as string);
    end = re.lastIndex;
    if (end >= text.length) break;
  }
  if (text.slice(end).trim() !== '')
    return { ok: false, error: 'a postgresql:// URL or libpq key=value pairs' };
  const unknown = Object.keys(parts).filter((k) => !KNOWN_KEYS.has(k) && k !== 'password');
  if (unknown.length > 0)
    return {
      ok: false,
      error: `only the keys ${[...KNOWN_KEYS].join(', ')} (got ${unknown.join(', ')}; TLS is the config's tls.client)`,
    };
  return fromParts(parts);
}

export function parseDsn(text: string): DsnParse {
  const t = text.trim();
  return /^postgres(ql)?:\/\//i.test(t) ? parseUrl(t) : parsePairs(t);
}

/** `user@host:port/database`: how an endpoint is named in logs, run.json and reports (no password). */
export function describeTarget(t: DsnTarget): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `${t.user}@${host}:${t.port}/${t.database}`;
}
