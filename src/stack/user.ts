import { readFileSync } from 'node:fs';
import { StackError } from '../errors.js';

export interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

/**
 * initdb, postgres and pgbouncer refuse to run as root. When the harness is root, components run as
 * an unprivileged user (BENCH_RUN_AS, default `postgres`, which Debian's packages create).
 */
export function componentUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const name = process.env.BENCH_RUN_AS ?? 'postgres';
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  const parts = line?.split(':');
  if (!parts || parts[2] === undefined || parts[3] === undefined) {
    throw new StackError(
      `running as root, but the unprivileged user "${name}" that PostgreSQL must run as does not exist ` +
        '(install postgresql-15, which creates it, or set BENCH_RUN_AS to another user)',
    );
  }
  return { uid: Number(parts[2]), gid: Number(parts[3]), name };
}
