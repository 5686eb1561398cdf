import type { SamplingSummary } from '../../src/sampling/types.js';
import { num, obj } from './json-guards.js';
import type { ComponentFigures, SamplingFigures } from './row.js';

/**
 * Reads the fields summarize uses from a cell's `sampling` record. The record is typed as
 * SamplingSummary by the writer, but results on disk may come from an older bench or a crashed
 * sampler, so every field is checked before it is used and anything else is ignored.
 */

function maxOf(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

const meanOf = (xs: number[]): number | undefined =>
  xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length;

function push(m: Map<string, number[]>, key: string, v: number | undefined): void {
  if (v !== undefined) m.set(key, [...(m.get(key) ?? []), v]);
}

/**
 * Peaks over reps are maxima; means (CPU, PSS, PSS per backend) are the mean of the reps' means.
 * A component sampled in a rep without a PSS reading is counted in `pssMissing`, with the reason
 * the sampler recorded (`pssError`), so reports can say why the memory figure is missing.
 */
export function aggregateSampling(
  records: ReadonlyArray<Record<string, unknown> | undefined>,
): SamplingFigures | undefined {
  const present = records.filter((r): r is Record<string, unknown> => obj(r) !== undefined);
  if (present.length === 0) return undefined;
  const out: SamplingFigures = { components: [] };
  const cpu = new Map<string, number[]>();
  const pssMeans = new Map<string, number[]>();
  const perBackend: number[] = [];
  const comps = new Map<string, ComponentFigures>();
  for (const raw of present) {
    const s = raw as Partial<SamplingSummary>;
    const interval = num(s.intervalMs);
    if (interval !== undefined) out.intervalMs = interval;
    const pg = obj(s.postgres);
    if (pg) {
      out.serverBackendsPeak = maxOf(out.serverBackendsPeak, num(pg.serverBackendsPeak));
      if (typeof pg.role === 'string') out.role = pg.role;
      out.foreignBackendsPeak = maxOf(out.foreignBackendsPeak, num(pg.foreignBackendsPeak));
      const pb = num(pg.pssPerBackendBytes);
      if (pb !== undefined) perBackend.push(pb);
    }
    const pb = obj(s.pgbouncer);
    if (pb) {
      out.clWaitingPeak = maxOf(out.clWaitingPeak, num(pb.clWaitingPeak));
      out.poolerServerConnectionsPeak = maxOf(out.poolerServerConnectionsPeak, num(pb.serverConnectionsPeak));
      out.maxwaitMsPeak = maxOf(out.maxwaitMsPeak, num(pb.maxwaitMsPeak));
    }
    for (const [name, c] of Object.entries(obj(s.components) ?? {})) {
      const co = obj(c);
      if (!co) continue;
      const f = comps.get(name) ?? {
        name,
        role: typeof co.role === 'string' ? co.role : (name.split(':')[0] ?? name),
      };
      f.pssPeakBytes = maxOf(f.pssPeakBytes, num(co.pssPeakBytes));
      push(pssMeans, name, num(co.pssMeanBytes));
      if (num(co.pssPeakBytes) === undefined) {
        const reason = typeof co.pssError === 'string' ? co.pssError : f.pssMissing?.reason;
        f.pssMissing = { reps: (f.pssMissing?.reps ?? 0) + 1, ...(reason !== undefined ? { reason } : {}) };
      }
      f.rssPeakBytes = maxOf(f.rssPeakBytes, num(co.rssPeakBytes));
      f.cpuCoresPeak = maxOf(f.cpuCoresPeak, num(co.cpuCoresPeak));
      comps.set(name, f);
      push(cpu, name, num(co.cpuCoresMean));
    }
  }
  for (const f of comps.values()) {
    f.cpuCoresMean = meanOf(cpu.get(f.name) ?? []);
    const pss = meanOf(pssMeans.get(f.name) ?? []);
    if (pss !== undefined) f.pssMeanBytes = Math.round(pss);
    out.components.push(stripUndefined(f));
  }
  const pbMean = meanOf(perBackend);
  if (pbMean !== undefined) out.pssPerBackendBytes = Math.round(pbMean);
  out.components.sort((a, b) => a.name.localeCompare(b.name));
  return stripUndefined(out);
}

function stripUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
