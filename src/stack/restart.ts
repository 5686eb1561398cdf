import { StackError } from '../errors.js';
import type { ConfigSpec } from '../matrix/schema.js';
import type { Component, ConfigPath } from './types.js';

/**
 * Stops one config's components, forgets them in `started`, starts them again with `pathFor`
 * (which registers the new ones) and puts the fresh path in `paths`. Shared by every provider:
 * the runner calls it after a pooler or proxy died mid-cell.
 */
export async function restartConfigPath(
  config: string,
  configs: ConfigSpec[],
  paths: Map<string, ConfigPath>,
  started: Component[],
  pathFor: (c: ConfigSpec) => Promise<ConfigPath>,
): Promise<ConfigPath> {
  const old = paths.get(config);
  const spec = configs.find((c) => c.name === config);
  if (!old || !spec) throw new StackError(`unknown config ${config}`);
  for (const c of old.components) {
    await c.stop();
    const i = started.indexOf(c);
    if (i >= 0) started.splice(i, 1);
  }
  const fresh = await pathFor(spec);
  paths.set(config, fresh);
  return fresh;
}
