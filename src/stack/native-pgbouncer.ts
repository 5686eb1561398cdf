import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { patchPgbouncerIni } from './ini-patch.js';
import type { ConfigPath, PgbouncerOps } from './types.js';

/**
 * pgbouncer.ini of a running native config: each PgBouncer process reads the file in its own
 * directory (its socketDir, src/stack/native.ts), rewritten in place (owner and mode kept).
 */
export function nativePgbouncerOps(paths: ReadonlyMap<string, ConfigPath>): PgbouncerOps {
  return {
    async rewriteIni(config, change) {
      const bouncers = paths.get(config)?.components.filter((c) => c.role === 'pgbouncer') ?? [];
      if (bouncers.length === 0) throw new Error(`config ${config} has no PgBouncer up`);
      for (const c of bouncers) {
        if (!c.socketDir) throw new Error(`PgBouncer of ${config} has no directory`);
        const file = path.join(c.socketDir, 'pgbouncer.ini');
        await writeFile(file, patchPgbouncerIni(await readFile(file, 'utf8'), change));
      }
    },
  };
}
