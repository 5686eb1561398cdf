import { expandProtocols, protocolConfigName } from './protocol.js';
import type { ConfigInput } from './schema.js';
import { expandSettings } from './setting-axes.js';
import { expandWorkers } from './workers.js';

/**
 * Every config axis expanded, in one order (workers, protocol, then settings), so a config with
 * all three becomes `<name>-w2-prepared-default_pool_size-5`. `expandedFrom` maps each final name to the config's name in the
 * file (for events, --configs and the baseline). Pure.
 */
export function expandConfigAxes(configs: readonly ConfigInput[]) {
  const w = expandWorkers(configs);
  const p = expandProtocols(w.configs, protocolConfigName);
  const s = expandSettings(p.items);
  const expandedFrom = new Map<string, string>();
  for (const c of s.configs) {
    let base = c.name;
    for (const step of [s.expandedFrom, p.expandedFrom, w.expandedFrom]) base = step.get(base) ?? base;
    if (base !== c.name) expandedFrom.set(c.name, base);
  }
  // The sweep names the config as written in the file, not an intermediate expansion.
  const out = s.configs.map((c) =>
    'sweep' in c && c.sweep ? { ...c, sweep: { ...c.sweep, of: expandedFrom.get(c.name) ?? c.sweep.of } } : c,
  );
  return { configs: out, expandedFrom };
}
