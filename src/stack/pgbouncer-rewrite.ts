import type { PgbouncerIniChange, PgbouncerOps } from './types.js';

/** One running PgBouncer process's ini: how it renders for a change, and how the file is written. */
interface IniTarget {
  render(change: PgbouncerIniChange): string;
  write(text: string): Promise<void>;
}

/** Two changes as one: later settings win, a later upstream replaces an earlier one. Pure. */
export function mergeIniChange(a: PgbouncerIniChange, b: PgbouncerIniChange): PgbouncerIniChange {
  const settings = { ...a.settings, ...b.settings };
  const upstream = b.upstream ?? a.upstream;
  return {
    ...(Object.keys(settings).length > 0 ? { settings } : {}),
    ...(upstream ? { upstream } : {}),
  };
}

/**
 * The pgbouncer.ini files of the configs that are up, by config and worker, for the stack's
 * PgbouncerOps: a rewrite renders every worker's file with the config's changes so far (a settings
 * event, then a failover's upstream) and writes it where that process reads it. A config that
 * starts again registers afresh and begins from its own settings.
 */
export function iniRewriter(): {
  register(config: string, worker: number, target: IniTarget): void;
  ops: PgbouncerOps;
} {
  const targets = new Map<string, Map<number, IniTarget>>();
  const changes = new Map<string, PgbouncerIniChange>();
  return {
    register(config, worker, target) {
      if (worker === 1) {
        targets.set(config, new Map());
        changes.delete(config);
      }
      targets.get(config)?.set(worker, target);
    },
    ops: {
      async rewriteIni(config, change) {
        const workers = targets.get(config);
        if (!workers || workers.size === 0) throw new Error(`no running PgBouncer of ${config} to rewrite`);
        const merged = mergeIniChange(changes.get(config) ?? {}, change);
        changes.set(config, merged);
        for (const t of workers.values()) await t.write(t.render(merged));
      },
    },
  };
}
