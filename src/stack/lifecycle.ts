import { StackError } from '../errors.js';
import type { ConfigSpec } from '../matrix/schema.js';
import type { Component, ConfigPath, Counting, Stack } from './types.js';

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
  pathFor: (
    c: ConfigSpec,
    onStarted: (comp: Component) => void,
    counting: Counting | undefined,
  ) => Promise<ConfigPath>,
): { paths: Map<string, ConfigPath> } & Pick<Stack, 'startPath' | 'stopPath' | 'restartPath'> {
  const paths = new Map<string, ConfigPath>();
  // Paths whose components run under valgrind or perf: a plain start replaces them, and so does
  // every counted start (each cost cell counts a fresh process from its first instruction).
  const counted = new Set<string>();
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
    counted.delete(config);
    // Client side first, the standby (PostgreSQL side) last.
    for (const c of [...old.components, ...(old.standby ? [old.standby.component] : [])]) {
      await c.stop();
      unregister([c]);
    }
  };
  const startPath = async (config: string, counting?: Counting): Promise<ConfigPath> => {
    if (counting || counted.has(config)) await stopPath(config);
    const up = paths.get(config);
    if (up) return up;
    const mine: Component[] = [];
    let fresh: ConfigPath;
    try {
      fresh = await pathFor(
        specOf(config),
        (comp) => {
          mine.push(comp);
          started.push(comp);
        },
        counting,
      );
    } catch (e) {
      // A half-started path: what did come up stops, client side first, and the start's error stands.
      for (const comp of mine.reverse()) await comp.stop().catch(() => undefined);
      unregister(mine);
      throw e;
    }
    paths.set(config, fresh);
    if (counting) counted.add(config);
    return fresh;
  };
  const restartPath = async (config: string): Promise<ConfigPath> => {
    specOf(config);
    await stopPath(config);
    return startPath(config);
  };
  return { paths, startPath, stopPath, restartPath };
}
