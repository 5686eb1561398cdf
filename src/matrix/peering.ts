import { ConfigurationError } from '../errors.js';
import { versionAtLeast } from '../util/version.js';
import type { MatrixSpec } from './schema.js';
import { workersOf } from './workers.js';

/** PgBouncer forwards cancel requests between peered processes since 1.19 (`peer_id`, `[peers]`). */
export const PEERING_MIN_PGBOUNCER = [1, 19] as const;

/** Expanded pgbouncer configs with several workers: the ones peering is decided for. Pure. */
export function multiWorkerConfigs(spec: MatrixSpec): string[] {
  return spec.configs.filter((c) => c.kind === 'pgbouncer' && workersOf(c) > 1).map((c) => c.name);
}

/**
 * The matrix with `peering` decided on every multi-worker PgBouncer config from the version it
 * runs: absent -> peered on PgBouncer >= 1.19, unpeered on an older one (the cell records say
 * which); `false` stays unpeered; `true` on an older PgBouncer is a ConfigurationError (exit 2)
 * naming the version found and the one needed. Pure.
 */
export function applyPeeringRule(
  spec: MatrixSpec,
  versionOf: (config: string) => { version: string | undefined; where: string } | undefined,
): MatrixSpec {
  const names = new Set(multiWorkerConfigs(spec));
  if (names.size === 0) return spec;
  const need = PEERING_MIN_PGBOUNCER.join('.');
  const refused: string[] = [];
  const configs = spec.configs.map((c) => {
    if (c.kind !== 'pgbouncer' || !names.has(c.name) || c.peering === false) return c;
    const v = versionOf(c.name);
    const ok = v?.version !== undefined && versionAtLeast(v.version, [...PEERING_MIN_PGBOUNCER]);
    if (!ok && c.peering === true) {
      refused.push(
        `config ${c.name}: peering: true needs PgBouncer >= ${need} (peer_id, [peers]); found PgBouncer ${v?.version ?? 'of unknown version'} (${v?.where ?? 'unknown'})`,
      );
    }
    return { ...c, peering: ok };
  });
  if (refused.length > 0) {
    throw new ConfigurationError(refused[0] as string, [
      ...refused.slice(1),
      'leave peering out (bench peers the workers where the version allows) or use a newer PgBouncer (docs/workers.md)',
    ]);
  }
  return { ...spec, configs };
}
