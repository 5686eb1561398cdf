import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { parseMatrix } from '../../src/matrix/load.js';
import { expandProfile, shapeRate } from '../../src/matrix/profile.js';
import { profileSchema } from '../../src/matrix/profile-schema.js';
import { workloadFlags } from '../../src/matrix/workload.js';
import { cellSettings, configOrder, planCells } from '../../src/runner/plan.js';
import { continuesSegment } from '../../src/runner/segment.js';
import { rateMet } from '../../summarize/model/offered-load.js';

const profile = (p: Record<string, unknown>) => profileSchema.parse(p);
const rates = (p: Record<string, unknown>) => expandProfile(profile(p)).map((s) => s.rate);

const matrix = (workloads: string, concurrency = '[4]') =>
  parseMatrix(
    `
duration: 5s
warmup: 1s
concurrency: ${concurrency}
configs:
  - { name: a, kind: direct }
  - { name: b, kind: pgbouncer }
workloads:
${workloads}`,
    'profile.yaml',
  );

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigurationError) return e.message;
    throw e;
  }
  throw new Error('expected a ConfigurationError');
}

describe('expandProfile', () => {
  it('constant: one rate for every segment, whole seconds, offsets back to back', () => {
    const segs = expandProfile(profile({ shape: 'constant', rate: 300, duration: '30s', segment: '10s' }));
    expect(segs.map((s) => [s.index, s.count, s.startMs, s.durationMs, s.rate])).toEqual([
      [1, 3, 0, 10_000, 300],
      [2, 3, 10_000, 10_000, 300],
      [3, 3, 20_000, 10_000, 300],
    ]);
  });

  it('step: the base rate with a burst where and as long as it says', () => {
    const segs = expandProfile(
      profile({
        shape: 'step',
        base: 100,
        duration: '50s',
        segment: '10s',
        bursts: [{ at: '20s', rate: 900, for: '20s' }],
      }),
    );
    expect(segs.map((s) => s.rate)).toEqual([100, 100, 900, 900, 100]);
    expect(segs.map((s) => s.burst)).toEqual([false, false, true, true, false]);
  });

  it('ramp: the rate at each segment midpoint, from one rate towards the other', () => {
    expect(rates({ shape: 'ramp', from: 100, to: 500, duration: '40s', segment: '10s' })).toEqual([
      150, 250, 350, 450,
    ]);
  });

  it('diurnal: minimum at night (t = 0), maximum half a period later, symmetric', () => {
    const p = profile({ shape: 'diurnal', min: 100, max: 1100, duration: '80s', segment: '10s' });
    expect(shapeRate(p, 0)).toBe(100);
    expect(shapeRate(p, 40_000)).toBeCloseTo(1100);
    const r = expandProfile(p).map((s) => s.rate);
    expect(r).toEqual([...r].reverse());
    expect(Math.max(...r)).toBe(r[3]);
    expect(Math.min(...r)).toBe(r[0]);
    expect(r[0]).toBeGreaterThan(100); // the midpoint of the first segment, not t = 0
  });

  it('diurnal with a burst on top', () => {
    const r = rates({
      shape: 'diurnal',
      min: 100,
      max: 500,
      period: '40s',
      duration: '40s',
      segment: '10s',
      bursts: [{ at: '0s', rate: 2000, for: '10s' }],
    });
    expect(r[0]).toBe(2000);
    expect(r.slice(1)).toEqual([441, 441, 159]);
  });
});

describe('profile validation', () => {
  it('refuses a segment under the minimum, a duration not a multiple, a misaligned burst', () => {
    expect(() => profile({ shape: 'constant', rate: 1, duration: '3s', segment: '1s' })).toThrow(
      /at least 2 s/,
    );
    expect(() => profile({ shape: 'constant', rate: 1, duration: '25s', segment: '10s' })).toThrow(
      /multiple/,
    );
    expect(() =>
      profile({
        shape: 'step',
        base: 1,
        duration: '30s',
        segment: '10s',
        bursts: [{ at: '5s', rate: 9, for: '10s' }],
      }),
    ).toThrow(/burst/);
    expect(() => profile({ shape: 'diurnal', min: 9, max: 1, duration: '30s' })).toThrow(/not below/);
  });

  it('names the field in the matrix and exits through ConfigurationError', () => {
    const msg = errorOf(() =>
      matrix(`  - name: p
    builtin: readonly
    profile: { shape: constant, rate: 10, duration: 4s, segment: 1s }`),
    );
    expect(msg).toMatch(/workloads\[0\]\.profile\.segment: expected a segment of at least 2 s/);
    expect(
      errorOf(() =>
        matrix(
          '  - { name: r, builtin: readonly, rate: 10, profile: { shape: constant, rate: 1, duration: 4s, segment: 2s } }',
        ),
      ),
    ).toMatch(/either "rate" or "profile"/);
    expect(errorOf(() => matrix('  - { name: r, builtin: readonly, rate: 10, flags: ["-R", "5"] }'))).toMatch(
      /no -R/,
    );
    expect(errorOf(() => matrix('  - { name: r, builtin: readonly, rate: -1 }'))).toMatch(/rate/);
  });
});

describe('rate and profile workloads in the plan', () => {
  it('a rate list is an axis: one workload per rate, -R is the total rate, -L in ms', () => {
    const m = matrix('  - { name: ro, builtin: readonly, rate: [100, 2000], latency_limit: 50ms }');
    expect(m.workloads.map((w) => w.name)).toEqual(['ro.r100', 'ro.r2000']);
    expect(workloadFlags(m.workloads[1] as never)).toEqual(['-S', '-R', '2000', '-L', '50']);
    expect(m.workloads[0]?.load).toEqual({ workload: 'ro', rate: 100, latencyLimitMs: 50 });
  });

  it("a profile's segments run back to back at each concurrency; only the first is prepared and warmed up", () => {
    const m = matrix(
      `  - readonly
  - name: day
    builtin: readonly
    profile: { shape: ramp, from: 10, to: 30, duration: 6s, segment: 2s }`,
      '[1, 4]',
    );
    const cells = planCells(m, configOrder(['a', 'b'], 1, 'fixed', 0));
    expect(cells.map((c) => `${c.config}:${c.workload}:${c.concurrency}`).slice(0, 8)).toEqual([
      'a:readonly:1',
      'a:readonly:4',
      'a:day.s1:1',
      'a:day.s2:1',
      'a:day.s3:1',
      'a:day.s1:4',
      'a:day.s2:4',
      'a:day.s3:4',
    ]);
    expect(cells.map((_, i) => continuesSegment(m, cells, i)).slice(0, 8)).toEqual([
      false,
      false,
      false,
      true,
      true,
      false,
      true,
      true,
    ]);
    const env = { cores: 2, sampling: true };
    const s2 = cellSettings(m, cells[3] as never, env);
    expect([s2.durationMs, s2.warmupMs, s2.sampling?.durationMs]).toEqual([2000, 0, 2000]);
    const s1 = cellSettings(m, cells[2] as never, env);
    expect([s1.durationMs, s1.warmupMs]).toEqual([2000, 1000]);
    expect(cellSettings(m, cells[0] as never, env).durationMs).toBe(5000);
  });
});

describe('rateMet', () => {
  it('a Poisson shortfall beyond 3.1 σ, or more than 1 % skipped, is not met; chance is', () => {
    // 100 tps over 2 s: 200 expected, σ = 14.1: 157 is 3.0 σ low (chance), 155 is 3.2 σ low.
    expect(rateMet(100, 2, 157, 0)).toBe(true);
    expect(rateMet(100, 2, 155, 0)).toBe(false);
    expect(rateMet(100, 2, 200, 2)).toBe(true);
    expect(rateMet(100, 2, 200, 3)).toBe(false);
    expect(rateMet(200_000, 2, 21_000, 380_000)).toBe(false);
  });
});

describe('rate axis names', () => {
  it('refuses a repeated rate and a variant name that clashes with another workload', () => {
    expect(errorOf(() => matrix('  - { name: r, builtin: readonly, rate: [10, 10] }'))).toMatch(
      /distinct rates/,
    );
    expect(
      errorOf(() =>
        matrix('  - { name: r, builtin: readonly, rate: [10] }\n  - { name: r.r10, builtin: tpcb }'),
      ),
    ).toMatch(/"r\.r10" is both/);
  });
});
