import type { MixGroup } from './workload.js';

/**
 * How the matrix's concurrency applies to a mix: as a factor on every group's clients and rate.
 * `concurrency: [1, 4]` runs the mix as written and four times over, so the groups keep their
 * proportions (the question a mix asks is how tenants share a pool, which a per-group count would
 * change as it grows) and each client keeps its rate. A group's own count is the only other knob,
 * so a cell's clients are always `factor x clients` of each group, recorded per group.
 */
export function groupsAt(groups: readonly MixGroup[], factor: number): MixGroup[] {
  return groups.map((g) => {
    const rate = g.workload.load?.rate;
    // A profile's rates scale like a fixed rate: every segment's, so the shape keeps its proportions.
    const profile = g.profile?.map((s) => ({ ...s, rate: s.rate * factor }));
    const scaled = { ...g, clients: g.clients * factor, ...(profile ? { profile } : {}) };
    if (rate === undefined || g.workload.load === undefined) return scaled;
    return { ...scaled, workload: { ...g.workload, load: { ...g.workload.load, rate: rate * factor } } };
  });
}

/** Every client of a mix at a concurrency factor: the cell's clients. */
export function mixClients(groups: readonly Pick<MixGroup, 'clients'>[], factor: number): number {
  return groups.reduce((a, g) => a + g.clients * factor, 0);
}

/**
 * The clients one cell of a workload holds at matrix concurrency `n`: `n` for a plain workload,
 * `n x` the groups' clients for a mix (what the stack is sized for: src/stack/sizing.ts).
 */
export function cellClients(
  w: { mix?: readonly Pick<MixGroup, 'clients'>[] | undefined },
  n: number,
): number {
  return w.mix ? mixClients(w.mix, n) : n;
}
