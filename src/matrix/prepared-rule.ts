import { ConfigurationError } from '../errors.js';
import { versionAtLeast } from '../util/version.js';
import { cellProtocol } from './protocol.js';
import { type MatrixSpec, pgbouncerHopOf } from './schema.js';

/** PgBouncer keeps prepared statements across a transaction pool since 1.21 (max_prepared_statements). */
export const PREPARED_MIN_PGBOUNCER = [1, 21] as const;
/** What bench sets when a matrix sends prepared statements through such a pool and sets nothing itself. */
export const DEFAULT_MAX_PREPARED_STATEMENTS = 100;

/**
 * Configs (expanded) whose cells send `-M prepared` through a PgBouncer in transaction or
 * statement mode: there a server connection changes between transactions, and before 1.21 a
 * statement prepared on one is unknown on the next. Session mode keeps the server connection. Pure.
 */
export function preparedThroughPool(spec: MatrixSpec): string[] {
  const workloads = spec.workloads.map((w) => (typeof w === 'string' ? {} : w));
  return spec.configs
    .filter((c) => {
      const hop = pgbouncerHopOf(c);
      if (hop === undefined || hop.pool_mode === 'session') return false;
      const config = 'protocol' in c ? c : undefined;
      return workloads.some((w) => cellProtocol(config, w, spec.protocol) === 'prepared');
    })
    .map((c) => c.name);
}

/**
 * The matrix ready to run prepared statements through transaction pools on PgBouncer `version`:
 * `max_prepared_statements` set where the config does not set it; on an older PgBouncer a
 * ConfigurationError (exit 2) naming the configs, the version found and the one needed. Pure.
 */
export function applyPreparedRule(
  spec: MatrixSpec,
  versionOf: (config: string) => { version: string | undefined; where: string } | undefined,
): MatrixSpec {
  const names = preparedThroughPool(spec);
  if (names.length === 0) return spec;
  const need = PREPARED_MIN_PGBOUNCER.join('.');
  const old = names.filter((n) => {
    const v = versionOf(n)?.version;
    return v === undefined || !versionAtLeast(v, [...PREPARED_MIN_PGBOUNCER]);
  });
  // One line per PgBouncer found too old, naming the configs that would run it.
  const groups = new Map<string, string[]>();
  for (const n of old) {
    const v = versionOf(n);
    const found = `found PgBouncer ${v?.version ?? 'of unknown version'} (${v?.where ?? 'unknown'})`;
    groups.set(found, [...(groups.get(found) ?? []), n]);
  }
  const lines = [...groups].map(
    ([found, configs]) =>
      `configs ${configs.join(', ')}: protocol prepared through a transaction or statement pool needs PgBouncer >= ${need} (max_prepared_statements); ${found}`,
  );
  if (lines.length > 0) {
    throw new ConfigurationError(lines[0] as string, [
      ...lines.slice(1),
      'use pool_mode: session for these configs, protocol simple or extended, or a newer PgBouncer (docs/protocols.md)',
    ]);
  }
  const configs = spec.configs.map((c) => {
    const hop = pgbouncerHopOf(c);
    if (!names.includes(c.name) || hop === undefined || 'max_prepared_statements' in hop.settings) return c;
    const settings = { ...hop.settings, max_prepared_statements: DEFAULT_MAX_PREPARED_STATEMENTS };
    return c.kind === 'proxy' && c.via_pgbouncer
      ? { ...c, via_pgbouncer: { ...c.via_pgbouncer, settings } }
      : { ...c, settings };
  });
  return { ...spec, configs };
}
