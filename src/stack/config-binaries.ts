import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigurationError, StackError } from '../errors.js';
import type { Matrix } from '../matrix/load.js';
import { type ConfigSpec, pgbouncerHopOf } from '../matrix/schema.js';
import { namedServer } from '../matrix/servers.js';
import { binaryVersion, type NativeBinaries } from './binaries.js';

/**
 * A config's own binaries on the native provider (`binaries: { postgres: <bin dir>, pgbouncer:
 * <file> }`, docs/versions.md): checked before anything starts, used when its server or its
 * PgBouncer starts.
 */

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** A config's own pgbouncer executable, if it names one. */
export function configPgbouncerBinary(c: ConfigSpec | undefined): string | undefined {
  return c?.kind === 'pgbouncer' || c?.kind === 'proxy' ? c.binaries?.pgbouncer : undefined;
}

/** `<bin> --version` must print a version: a binary that cannot be asked cannot be recorded. */
async function askable(bin: string, where: string): Promise<void> {
  // parseVersion returns a first line without a version as it is: only a number is an answer.
  if (!/^\d+\.\d+/.test(await binaryVersion(bin))) {
    throw new ConfigurationError(`${where}: expected ${bin} --version to print a version, it did not`);
  }
}

/**
 * Every config's `binaries:`, before anything starts: `postgres` a directory with executable
 * initdb and postgres whose `postgres --version` answers, `pgbouncer` an executable file whose
 * `--version` answers. The first bad one exits 2 with its path.
 */
export async function checkConfigBinaries(matrix: Matrix): Promise<void> {
  const asked = new Set<string>();
  for (const c of matrix.spec.configs) {
    const where = `${matrix.file}: config ${c.name}: binaries`;
    const dir = namedServer(c, 'native');
    if (dir !== undefined && !asked.has(dir)) {
      if (!isDirectory(dir)) {
        throw new ConfigurationError(
          `${where}.postgres: expected a directory with initdb and postgres, ${dir} is not a directory`,
        );
      }
      for (const tool of ['initdb', 'postgres']) {
        if (!isExecutable(path.join(dir, tool))) {
          throw new ConfigurationError(
            `${where}.postgres: expected a directory with initdb and postgres, ${dir} has no executable ${tool}`,
          );
        }
      }
      await askable(path.join(dir, 'postgres'), `${where}.postgres`);
      asked.add(dir);
    }
    const bouncer = configPgbouncerBinary(c);
    if (bouncer !== undefined && !asked.has(bouncer)) {
      if (!isExecutable(bouncer)) {
        throw new ConfigurationError(
          `${where}.pgbouncer: expected the pgbouncer executable, ${bouncer} is not an executable file`,
        );
      }
      await askable(bouncer, `${where}.pgbouncer`);
      asked.add(bouncer);
    }
  }
}

/**
 * The binaries one server's stack runs: initdb and postgres from the directory its configs name
 * (they all name the same one: src/matrix/servers.ts groups them), else the machine's.
 */
export function serverBinaries(bins: NativeBinaries, configs: readonly ConfigSpec[]): NativeBinaries {
  const named = new Set(configs.map((c) => namedServer(c, 'native', path.dirname(bins.postgres))));
  if (named.size > 1) throw new StackError(`internal: one native stack for ${named.size} PostgreSQL servers`);
  const [dir] = [...named];
  if (dir === undefined) return bins;
  return { ...bins, initdb: path.join(dir, 'initdb'), postgres: path.join(dir, 'postgres') };
}

/** Whether the machine's own pgbouncer is needed: a config with PgBouncer that names no binary of its own. */
export function needsMachinePgbouncer(configs: readonly ConfigSpec[]): boolean {
  return configs.some((c) => pgbouncerHopOf(c) !== undefined && !configPgbouncerBinary(c));
}

/** run.json's `binaries`: what this stack starts, a config's own pgbouncer as `pgbouncer:<config>`. */
export function binariesRecord(bins: NativeBinaries, configs: readonly ConfigSpec[]): Record<string, string> {
  const own = configs.flatMap((c) => {
    const b = configPgbouncerBinary(c);
    return b === undefined ? [] : [[`pgbouncer:${c.name}`, b] as const];
  });
  return { ...bins, ...Object.fromEntries(own) };
}
