/**
 * A mix cell whose client group has a profile (docs/tenants.md) runs that group as a chain: one
 * pgbench per segment, each started when the one before it ended, while every other process runs
 * the whole cell. Pure: which processes run side by side, which one after another, and which log
 * lines belong to the same client.
 */

/** Where a process of a chain stands in its group's profile. */
export interface ProcessSegment {
  /** 0-based position in the group's profile. */
  index: number;
  count: number;
  /** Planned offset of the segment's start from the cell's measured start, and its length (ms). */
  startMs: number;
  durationMs: number;
}

interface Chained {
  group?: number;
  segment?: ProcessSegment;
  clients: number;
}

/** A process's lane: a group's chain is one lane; every other process is a lane of its own. */
function laneKey(p: Chained, i: number): string {
  return p.segment === undefined ? `p${i}` : `g${p.group ?? -1}`;
}

/**
 * The processes as lanes that run side by side; a lane's steps run one after another (a chain's
 * segments, in profile order), a step's processes together (a segment split over several pgbench
 * processes). Indices into `procs`.
 */
export function lanesOf(procs: readonly Chained[]): number[][][] {
  const lanes = new Map<string, Map<number, number[]>>();
  procs.forEach((p, i) => {
    const key = laneKey(p, i);
    const steps = lanes.get(key) ?? new Map<number, number[]>();
    lanes.set(key, steps);
    const step = p.segment?.index ?? 0;
    steps.set(step, [...(steps.get(step) ?? []), i]);
  });
  return [...lanes.values()].map((steps) =>
    [...steps.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]),
  );
}

/**
 * Which clients are the same client: a chain's segments run the same clients again (pgbench
 * restarts, its clients reconnect), so the j-th process of every segment of a group shares one slot,
 * its client ids those of the first segment's. Every other process is a slot of its own. `slot[i]`
 * is process i's slot, `clients[s]` the clients of slot s (per-client figures count each client once).
 */
export function clientSlots(procs: readonly Chained[]): { slot: number[]; clients: number[] } {
  const slots = new Map<string, number>();
  const clients: number[] = [];
  const position = new Map<string, number>();
  const slot = procs.map((p, i) => {
    const stepKey = `${laneKey(p, i)}:${p.segment?.index ?? 0}`;
    const j = position.get(stepKey) ?? 0;
    position.set(stepKey, j + 1);
    const key = p.segment === undefined ? laneKey(p, i) : `${laneKey(p, i)}:${j}`;
    const known = slots.get(key);
    if (known !== undefined) return known;
    slots.set(key, clients.length);
    clients.push(p.clients);
    return clients.length - 1;
  });
  return { slot, clients };
}
