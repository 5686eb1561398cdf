import type { ContainerRuntimeClient } from 'testcontainers';
import { patchPgbouncerIni } from './ini-patch.js';
import { firstTarFile, tarOf } from './tar.js';
import type { ConfigPath, PgbouncerOps } from './types.js';

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c));
  return Buffer.concat(chunks);
}

/**
 * pgbouncer.ini of a running config's containers (`iniFile` inside each), read and written through
 * the engine's archive API (docker cp): root-owned and world-readable, as it was copied in before
 * the start, so PgBouncer's RELOAD reads the new one.
 */
export function containerPgbouncerOps(
  client: ContainerRuntimeClient,
  paths: ReadonlyMap<string, ConfigPath>,
  iniFile: string,
): PgbouncerOps {
  return {
    async rewriteIni(config, change) {
      const bouncers = paths.get(config)?.components.filter((c) => c.role === 'pgbouncer') ?? [];
      if (bouncers.length === 0) throw new Error(`config ${config} has no PgBouncer up`);
      for (const c of bouncers) {
        if (!c.containerId) throw new Error(`PgBouncer of ${config} is not a container`);
        const container = client.container.dockerode.getContainer(c.containerId);
        const text = firstTarFile(await readAll(await container.getArchive({ path: iniFile })));
        const entry = {
          name: iniFile.replace(/^\//, ''),
          mode: 0o644,
          content: patchPgbouncerIni(text, change),
        };
        await container.putArchive(tarOf([entry], 0, 0), { path: '/' });
      }
    },
  };
}
