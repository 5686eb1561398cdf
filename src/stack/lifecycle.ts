import { StackError } from '../errors.js';
import type { ConfigSpec } from '../matrix/schema.js';
import type { Component, ConfigPath, Stack } from './types.js';

/**
 * Which configs are up, shared by every provider: a provider says only how a config's path starts
 * (`pathFor`, src/stack/path.ts, which reports each component as it comes up); this registers them
 * in `started` so a stop-all finds them, and decides when paths start and stop. Only one config is meant to be up at a time (the runner stops the
 * previous config before it starts the next), so its pooler or proxy is the only one holding
 * server connections while its cells run.
 */
export function pathLifecycle(
  configs: readonly ConfigSpec[],
  started: Component[],
  pathFor: (c: ConfigSpec, onStarted: (comp: Component) => void) => Promise<ConfigPath>,
): { paths: Map<string, ConfigPath> } & Pick<Stack, 'startPath' | 'stopPath' | 'restartPath'> {
  const paths = new Map<string, ConfigPath>();
  const specOf = (config: string): ConfigSpec => {
    const spec = configs.find((c) => c.name === config);
    if (!spec) throw new StackError(`unknown config ${config}`);
    return spec;
  };
  const unregister = (comps: readonly Component[]) => {
    for (const c of comps) {
      const i = started.indexOf(c);
      if (i >= 0) started.splice(i, 1);
    }
  };
  const stopPath = async (config: string): Promise<void> => {
    const old = paths.get(config);
    if (!old) return;
    paths.delete(config);
    for (const c of old.components) {
      await c.stop();
      unregister([c]);
    }
  };
  const startPath = async (config: string): Promise<ConfigPath> => {
    const up = paths.get(config);
    if (up) return up;
    const mine: Component[] = [];
    let fresh: ConfigPath;
    try {
      fresh = await pathFor(specOf(config), (comp) => {
        mine.push(comp);
        started.push(comp);
      });
    } catch (e) {
      // A half-started path: what did come up stops, client side first, and the start's error stands.
      for (const comp of mine.reverse()) await comp.stop().catch(() => undefined);
      unregister(mine);
      throw e;
    }
    paths.set(config, fresh);
    return fresh;
  };
  const restartPath = async (config: string): Promise<ConfigPath> => {
    specOf(config);
    await stopPath(config);
    return startPath(config);
  };
  return { paths, startPath, stopPath, restartPath };
}
