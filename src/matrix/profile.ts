import type { ProfileSpec } from './profile-schema.js';

/**
 * One segment of a load profile: one rate-limited pgbench run. Segments run back to back on the
 * same stack; pgbench restarts at each boundary, so its clients reconnect there.
 */
export interface ProfileSegment {
  /** 1-based position in the profile. */
  index: number;
  count: number;
  /** Offset of the segment's start from the start of the profile, ms. */
  startMs: number;
  durationMs: number;
  /** pgbench -R for this segment: transactions per second over all clients together. */
  rate: number;
  /** The profile's shape, and whether a burst set this segment's rate. */
  shape: ProfileSpec['shape'];
  burst: boolean;
}

/** The shape's rate at `tMs` from the start of the profile, bursts aside. */
export function shapeRate(p: ProfileSpec, tMs: number): number {
  switch (p.shape) {
    case 'constant':
      return p.rate;
    case 'step':
      return p.base;
    case 'ramp':
      return p.from + ((p.to - p.from) * tMs) / p.duration;
    case 'diurnal': {
      // A compressed day: the minimum at t = 0 (night), the maximum half a period later.
      const period = p.period ?? p.duration;
      return p.min + ((p.max - p.min) * (1 - Math.cos((2 * Math.PI * tMs) / period))) / 2;
    }
  }
}

/** Rates are offered in whole transactions per second (at least 1). */
function roundRate(r: number): number {
  return Math.max(1, Math.round(r));
}

/**
 * The segments of a profile: `duration / segment` runs, each at the shape's rate at the segment's
 * midpoint, or at a burst's rate where a burst covers the segment (the last burst listed wins).
 * The schema has checked that duration and bursts are multiples of the segment length.
 */
export function expandProfile(p: ProfileSpec): ProfileSegment[] {
  const count = Math.round(p.duration / p.segment);
  const out: ProfileSegment[] = [];
  for (let i = 0; i < count; i++) {
    const startMs = i * p.segment;
    const burst = p.bursts.filter((b) => startMs >= b.at && startMs < b.at + b.for).at(-1);
    out.push({
      index: i + 1,
      count,
      startMs,
      durationMs: p.segment,
      rate: roundRate(burst ? burst.rate : shapeRate(p, startMs + p.segment / 2)),
      shape: p.shape,
      burst: burst !== undefined,
    });
  }
  return out;
}

/** `web` segment 3 of 12 -> `web.s03`: the workload name its cells are recorded under. */
export function segmentName(workload: string, index: number, count: number): string {
  return `${workload}.s${String(index).padStart(String(count).length, '0')}`;
}

/** `web` at 500 tps -> `web.r500`: the workload name of one value of a rate axis. */
export function rateName(workload: string, rate: number): string {
  return `${workload}.r${String(rate).replace('.', '_')}`;
}
