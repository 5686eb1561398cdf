import { ConfigurationError } from '../errors.js';
import type { MatrixSpec } from '../matrix/schema.js';
import { initdbArgs } from './cluster.js';

export const IMAGE_ROLES = ['postgres', 'pgbouncer', 'pgbench'] as const;
export type ImageRole = (typeof IMAGE_ROLES)[number];
export type ImageSet = Record<ImageRole, string>;

/**
 * Well-known public images a user with Docker Hub access gets without configuration: the
 * official PostgreSQL image of a current major (it also provides pgbench) and the most pulled
 * PgBouncer image. The harness never relies on their entrypoint scripts for PgBouncer and pgbench
 * (it runs the binary with its own config), only for PostgreSQL's first-start initialisation.
 */
export const DEFAULT_IMAGES: Readonly<ImageSet> = {
  postgres: 'postgres:17',
  pgbouncer: 'edoburu/pgbouncer:latest',
  pgbench: 'postgres:17',
};

const ENV_PREFIX = 'BENCH_IMAGE_';

function isRole(s: string): s is ImageRole {
  return (IMAGE_ROLES as readonly string[]).includes(s);
}

/**
 * `--image role=ref` values -> a record, with errors that name the flag. `all=ref` sets the three
 * roles at once (one local image such as local/pgstack:bookworm serves them all).
 */
export function parseImageFlags(values: string[]): Partial<ImageSet> {
  const out: Partial<ImageSet> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    const role = eq < 0 ? '' : v.slice(0, eq).trim();
    const ref = eq < 0 ? '' : v.slice(eq + 1).trim();
    if (ref === '' || (role !== 'all' && !isRole(role))) {
      throw new ConfigurationError(
        `--image: expected role=image with role one of ${IMAGE_ROLES.join(', ')} or all, got "${v}"`,
      );
    }
    if (role === 'all') for (const r of IMAGE_ROLES) out[r] = ref;
    else out[role as ImageRole] = ref;
  }
  return out;
}

/**
 * The images a run uses. Precedence, lowest first: built-in defaults, BENCH_IMAGE_<ROLE>
 * environment variables (they replace the defaults, e.g. for an air-gapped CI), the matrix
 * `images:`, then `overrides` (the `--image` flag). Unknown override roles are an error.
 */
export function applyImageOverrides(
  matrixImages: MatrixSpec['images'] | undefined,
  overrides: Record<string, string> = {},
  env: NodeJS.ProcessEnv = process.env,
): ImageSet {
  for (const k of Object.keys(overrides)) {
    if (!isRole(k)) {
      throw new ConfigurationError(`--image: expected a role among ${IMAGE_ROLES.join(', ')}, got "${k}"`);
    }
  }
  const pick = (role: ImageRole): string => {
    const fromEnv = env[`${ENV_PREFIX}${role.toUpperCase()}`];
    return (
      overrides[role] ??
      matrixImages?.[role] ??
      (fromEnv && fromEnv !== '' ? fromEnv : undefined) ??
      DEFAULT_IMAGES[role]
    );
  };
  return { postgres: pick('postgres'), pgbouncer: pick('pgbouncer'), pgbench: pick('pgbench') };
}

/**
 * How a PostgreSQL image is driven. `official`: the docker-library image (its entrypoint runs
 * initdb from POSTGRES_* variables, then execs the server with our `-c` arguments). `bare`: any
 * other image (e.g. one made with `docker import`, which has no entrypoint): the harness runs
 * initdb and postgres itself through `sh -c`.
 */
export type PostgresImageMode = 'official' | 'bare';

export function postgresImageMode(entrypoint: string[] | string | null | undefined): PostgresImageMode {
  const ep = Array.isArray(entrypoint) ? entrypoint.join(' ') : (entrypoint ?? '');
  return /docker-entrypoint/.test(ep) ? 'official' : 'bare';
}

const shq = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/**
 * The `sh -c` script for a bare image: a throwaway cluster in the container's writable layer
 * (initdb as every provider runs it, src/stack/cluster.ts), then `exec` so the postmaster is the
 * container's main process (its host PID is what the sampler walks).
 */
export function bareInitScript(o: {
  dataDir: string;
  user: string;
  pwfile: string;
  auth: 'scram-sha-256' | 'trust';
  args: string[];
}): string {
  const initdb = ['initdb', ...initdbArgs(o)];
  return `${initdb.map(shq).join(' ')} && exec postgres -D ${shq(o.dataDir)} ${o.args.map(shq).join(' ')}`;
}
