import { z } from 'zod';

/** pgbench -M: how queries are sent. */
export const PROTOCOLS = ['simple', 'extended', 'prepared'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

const protocolValue = z.enum(PROTOCOLS);

/**
 * `protocol:` on a config or a workload: one value, or a list, which is an axis. A config's list
 * expands into `<config>-<protocol>` configs (like `workers:`, src/matrix/workers.ts), so cell ids,
 * the per-rep shuffle and the paired compare work unchanged; a workload's list expands into
 * `<workload>.<protocol>` workloads (like a rate list, src/matrix/load-variants.ts).
 */
export const protocolAxisSchema = z
  .union([protocolValue, z.array(protocolValue).min(1, 'a non-empty list')], {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `a pgbench protocol (${PROTOCOLS.join(', ')}) or a list of them, e.g. [simple, prepared]`
        : undefined,
  })
  .optional();

export function protocolConfigName(base: string, p: Protocol): string {
  return `${base}-${p}`;
}

export function protocolWorkloadName(base: string, p: Protocol): string {
  return `${base}.${p}`;
}

/** Issues of a protocol list: a repeated value would make two configs or workloads of one name. */
export function protocolListIssues(p: Protocol | Protocol[] | undefined): string | undefined {
  if (!Array.isArray(p)) return undefined;
  const dup = p.find((x, i) => p.indexOf(x) !== i);
  return dup === undefined ? undefined : `unique protocols (${dup} repeats)`;
}

interface WithProtocol {
  name: string;
  protocol?: Protocol | Protocol[] | undefined;
}

/**
 * Items (configs or object workloads) with a protocol list become one item per protocol, named by
 * `rename`, in the list's order, where the list was. `expandedFrom` maps each new name to the old.
 */
export function expandProtocols<C extends WithProtocol>(
  items: readonly C[],
  rename: (base: string, p: Protocol) => string,
): { items: Array<C & { protocol?: Protocol }>; expandedFrom: Map<string, string> } {
  const out: Array<C & { protocol?: Protocol }> = [];
  const expandedFrom = new Map<string, string>();
  for (const c of items) {
    if (!Array.isArray(c.protocol)) {
      out.push(c as C & { protocol?: Protocol });
      continue;
    }
    for (const p of c.protocol) {
      const name = rename(c.name, p);
      expandedFrom.set(name, c.name);
      out.push({ ...c, name, protocol: p });
    }
  }
  return { items: out, expandedFrom };
}

/** The protocol of one cell: the config's, else the workload's, else the matrix's. */
export function cellProtocol(
  config: { protocol?: Protocol | Protocol[] | undefined } | undefined,
  workload: { protocol?: Protocol | undefined },
  matrix: Protocol,
): Protocol {
  const c = config?.protocol;
  return (typeof c === 'string' ? c : undefined) ?? workload.protocol ?? matrix;
}
