import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DsnTarget } from '../matrix/dsn.js';

/** One field of a ~/.pgpass line: `\:` and `\\` are escapes, `*` matches anything. */
function splitLine(line: string): string[] {
  const fields: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (ch === '\\' && i + 1 < line.length) cur += line[++i];
    else if (ch === ':' && fields.length < 4) {
      fields.push(cur);
      cur = '';
    } else cur += ch;
  }
  fields.push(cur);
  return fields;
}

/**
 * The password libpq would take from a password file for this target: the first line whose
 * host, port, database and user match (each field literal or `*`). Pure: the text is given.
 */
export function pgpassLookup(text: string, t: DsnTarget): string | undefined {
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '' || raw.startsWith('#')) continue;
    const f = splitLine(raw);
    if (f.length !== 5) continue;
    const want = [t.host, String(t.port), t.database, t.user];
    if (want.every((w, i) => f[i] === '*' || f[i] === w)) return f[4];
  }
  return undefined;
}

/** PGPASSFILE or ~/.pgpass, read as libpq does: ignored when group or others may read it. */
function pgpassText(): string | undefined {
  const file = process.env.PGPASSFILE || path.join(os.homedir(), '.pgpass');
  try {
    if ((statSync(file).mode & 0o077) !== 0) return undefined;
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Where an endpoint's password came from, for run.json (never the password). */
export type PasswordSource = 'environment' | 'pgpass' | 'none';

/**
 * An external endpoint's password: the named environment variable (PGPASSWORD by default), else
 * the password file, else none (trust or peer auth on the other side).
 */
export function resolvePassword(
  t: DsnTarget,
  envVar: string | undefined,
): { password: string; source: PasswordSource } {
  const fromEnv = process.env[envVar ?? 'PGPASSWORD'];
  if (fromEnv) return { password: fromEnv, source: 'environment' };
  const text = pgpassText();
  const p = text === undefined ? undefined : pgpassLookup(text, t);
  return p === undefined ? { password: '', source: 'none' } : { password: p, source: 'pgpass' };
}
