import type { PgbouncerIniChange } from './types.js';

const iniText = (v: string | number | boolean) => String(typeof v === 'boolean' ? (v ? 1 : 0) : v);

/**
 * pgbouncer.ini as bench wrote it (src/stack/render.ts), changed: each setting replaces its line in
 * [pgbouncer] or is appended to that section; an `upstream` rewrites host= and port= of every
 * [databases] entry. Pure.
 */
export function patchPgbouncerIni(text: string, change: PgbouncerIniChange): string {
  const lines = text.split('\n');
  let section = '';
  const pending = new Map(Object.entries(change.settings ?? {}));
  const out: string[] = [];
  const flush = () => {
    if (section !== 'pgbouncer') return;
    // Before the section's trailing blank lines, so the file keeps its shape.
    let at = out.length;
    while (at > 0 && out[at - 1]?.trim() === '') at--;
    out.splice(at, 0, ...[...pending].map(([k, v]) => `${k} = ${iniText(v)}`));
    pending.clear();
  };
  for (const line of lines) {
    const head = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (head) {
      flush();
      section = head[1]?.trim() ?? '';
      out.push(line);
      continue;
    }
    const key = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    if (section === 'pgbouncer' && key !== undefined && pending.has(key)) {
      out.push(`${key} = ${iniText(pending.get(key) as string | number | boolean)}`);
      pending.delete(key);
    } else if (section === 'databases' && key !== undefined && change.upstream) {
      out.push(
        line
          .replace(/\bhost=\S+/, `host=${change.upstream.host}`)
          .replace(/\bport=\d+/, `port=${change.upstream.port}`),
      );
    } else out.push(line);
  }
  flush();
  return out.join('\n');
}
