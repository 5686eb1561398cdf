import type { ContainerRuntimeClient } from 'testcontainers';
import { ConfigurationError } from '../errors.js';
import { type ConfigSpec, pgbouncerHopOf } from '../matrix/schema.js';
import { imageFacts } from './container-engine.js';

/** An image the run will start, and who named it (for the message when it does not exist). */
export interface ImageUse {
  image: string;
  where: string;
}

/**
 * Every image the configs' stacks start: each config's PostgreSQL (its own, else the run's), its
 * PgBouncer when it has one (its own, else the run's) and a proxy's image; each image once, named by
 * the first config that uses it.
 */
export function imagesToCheck(
  configs: readonly ConfigSpec[],
  run: { postgres: string; pgbouncer: string },
): ImageUse[] {
  const out = new Map<string, ImageUse>();
  const add = (image: string, where: string) => {
    if (!out.has(image)) out.set(image, { image, where });
  };
  for (const c of configs) {
    if (c.kind === 'external') continue;
    const at = `config ${c.name}`;
    add(
      c.images?.postgres ?? run.postgres,
      `${at}: ${c.images?.postgres ? 'images.postgres' : "the run's postgres image"}`,
    );
    const own = c.kind === 'pgbouncer' || c.kind === 'proxy' ? c.images?.pgbouncer : undefined;
    if (pgbouncerHopOf(c))
      add(own ?? run.pgbouncer, `${at}: ${own ? 'images.pgbouncer' : "the run's pgbouncer image"}`);
    if (c.kind === 'proxy' && c.image) add(c.image, `${at}: image`);
  }
  return [...out.values()];
}

/** Each image exists on the engine (or is pulled now); the first that cannot be is refused, exit 2. */
export async function checkImages(
  client: ContainerRuntimeClient,
  file: string,
  uses: readonly ImageUse[],
): Promise<void> {
  for (const u of uses) {
    try {
      await imageFacts(client, u.image);
    } catch (e) {
      throw new ConfigurationError(
        `${file}: ${u.where}: expected an image that exists on the Docker engine or can be pulled, "${u.image}" cannot (${(e as Error).message.split('\n')[0]})`,
      );
    }
  }
}
