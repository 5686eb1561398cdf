import { expandProtocols, type Protocol, protocolConfigName } from './protocol.js';
import { expandWorkers } from './workers.js';

interface Expandable {
  name: string;
  kind: string;
  workers?: number | number[];
  protocol?: Protocol | Protocol[] | undefined;
}

/**
 * Every config axis expanded, in one order (workers, then protocol), so a config with both lists
 * becomes `<name>-w2-prepared`. `expandedFrom` maps each final name to the config's name in the
 * file (for events, --configs and the baseline). Pure.
 */
export function expandConfigAxes<C extends Expandable>(configs: readonly C[]) {
  const w = expandWorkers(configs);
  const p = expandProtocols(w.configs, protocolConfigName);
  const expandedFrom = new Map<string, string>();
  for (const c of p.items) {
    const viaProtocol = p.expandedFrom.get(c.name) ?? c.name;
    const base = w.expandedFrom.get(viaProtocol) ?? viaProtocol;
    if (base !== c.name) expandedFrom.set(c.name, base);
  }
  return { configs: p.items, expandedFrom };
}
