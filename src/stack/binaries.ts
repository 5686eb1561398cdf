import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { MissingToolError } from '../errors.js';
import { parseVersion } from '../util/version.js';

// The distribution's default major (15 on Debian 12, 16 on Ubuntu 24.04); bench uses the newest installed.
export const INSTALL_HINT = 'apt-get install -y postgresql postgresql-client pgbouncer';

export interface NativeBinaries {
  initdb: string;
  postgres: string;
  pgbench: string;
  pgbouncer?: string;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const p = path.join(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/** Debian keeps server binaries in /usr/lib/postgresql/<major>/bin, off PATH; prefer the newest. */
function debianBindir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((d) => /^\d+$/.test(d) && existsSync(path.join(root, d, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : path.join(root, majors[0], 'bin');
}

function find(name: string, bindir: string | undefined, extra: string[] = []): string | undefined {
  const candidates = [
    ...(process.env.BENCH_PG_BINDIR ? [path.join(process.env.BENCH_PG_BINDIR, name)] : []),
    ...(bindir ? [path.join(bindir, name)] : []),
  ];
  for (const c of candidates) if (existsSync(c)) return c;
  return onPath(name) ?? extra.find((e) => existsSync(e));
}

export type BinaryName = 'initdb' | 'postgres' | 'pgbench' | 'pgbouncer';

/**
 * Where one tool is, by the search every caller shares: BENCH_PG_BINDIR, then the newest Debian
 * server directory (not for pgbouncer, which is no PostgreSQL binary), then PATH, then pgbouncer's
 * Debian place. Each tool on its own, so one missing says nothing about another.
 */
export function locateTool(
  name: BinaryName,
  bindir: string | undefined = debianBindir(),
): string | undefined {
  return name === 'pgbouncer' ? find('pgbouncer', undefined, ['/usr/sbin/pgbouncer']) : find(name, bindir);
}

export function findBinaries(opts: { needPgbouncer: boolean }): NativeBinaries {
  const bindir = debianBindir();
  const initdb = locateTool('initdb', bindir);
  const postgres = locateTool('postgres', bindir);
  const pgbench = locateTool('pgbench', bindir);
  const pgbouncer = locateTool('pgbouncer');
  if (!initdb || !postgres) throw new MissingToolError('postgres (initdb, postgres)', INSTALL_HINT);
  if (!pgbench) throw new MissingToolError('pgbench', INSTALL_HINT);
  if (opts.needPgbouncer && !pgbouncer) throw new MissingToolError('pgbouncer', INSTALL_HINT);
  return { initdb, postgres, pgbench, ...(pgbouncer ? { pgbouncer } : {}) };
}

export function findPgbench(): string | undefined {
  return locateTool('pgbench');
}

/** The version a binary's `--version` prints (src/stack/version.ts). */
export async function binaryVersion(bin: string): Promise<string> {
  const r = await execa(bin, ['--version'], { reject: false, timeout: 10_000 });
  return parseVersion(`${r.stdout}`);
}
