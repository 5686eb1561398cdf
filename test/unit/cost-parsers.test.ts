import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CachegrindParseError, parseCachegrind, sumCachegrind } from '../../src/runner/cost-cachegrind.js';
import { parsePerfStat } from '../../src/runner/cost-perf-stat.js';

// Recorded on this machine (valgrind 3.19, linux-perf 6.1): see test/fixtures/cost/README.md.
const FIXTURES = new URL('../fixtures/cost/', import.meta.url);

function cgDir(name: string) {
  const dir = new URL(`valgrind/${name}/`, FIXTURES);
  return readdirSync(dir)
    .sort()
    .map((f) => parseCachegrind(readFileSync(new URL(f, dir), 'utf8')));
}
const perf = (name: string) => parsePerfStat(readFileSync(new URL(`perf/${name}`, FIXTURES), 'utf8'));

describe('parseCachegrind on recorded cachegrind 3.19 files', () => {
  it('takes the summary line as the total and it equals the sum of the cost lines', () => {
    const [f] = cgDir('pgbouncer-t200');
    expect(f?.instructions).toBe(19_923_310);
    const summed = [...(f?.functions.values() ?? [])].reduce((s, x) => s + x.instructions, 0);
    expect(summed).toBe(19_923_310);
  });

  it('refuses a file that is not a cachegrind out file', () => {
    expect(() => parseCachegrind('hello\n')).toThrow(CachegrindParseError);
    expect(() => parseCachegrind('events: I1mr Ir\nsummary: 3\n')).toThrow(/events: Ir/);
  });

  it('adds up a function that appears under several fn= lines', () => {
    const f = parseCachegrind(
      'events: Ir\nfl=a.c\nfn=f\n1 10\nfl=b.c\nfn=g\n2 5\nfl=a.c\nfn=f\n3 7\nsummary: 22\n',
    );
    expect([...f.functions.values()]).toEqual([
      { fn: 'f', file: 'a.c', instructions: 17 },
      { fn: 'g', file: 'b.c', instructions: 5 },
    ]);
  });
});

describe('sumCachegrind over the processes of one component', () => {
  it('sums every process of the forking relay', () => {
    const t = sumCachegrind(cgDir('relay-t200'));
    expect(t.processes).toBe(4);
    expect(t.instructions).toBe(621_128);
    expect(t.symbolized).toBe(true);
    expect(t.functions.length).toBeLessThanOrEqual(40);
    expect(t.functions.map((f) => f.fn)).toContain('pump.constprop.0');
  });

  it('gives the issue-18 slope for PgBouncer (about 4,775 instructions per -S transaction)', () => {
    const small = sumCachegrind(cgDir('pgbouncer-t200')).instructions;
    const large = sumCachegrind(cgDir('pgbouncer-t600')).instructions;
    expect((large - small) / 400).toBeCloseTo(4775.7, 0);
  });

  it('moves the relay by exactly the loop it was given (50 iterations x 2 messages x 3 instructions)', () => {
    const plain = sumCachegrind(cgDir('relay-t600'));
    const loops = sumCachegrind(cgDir('relay-loops50-t600'));
    const work = (t: typeof plain) => t.functions.find((f) => f.fn.startsWith('pump'))?.instructions ?? 0;
    expect(work(loops) - work(plain)).toBeGreaterThan(600 * 300);
  });

  it('orders functions by instructions, at most 40, summed over processes', () => {
    const t = sumCachegrind(cgDir('relay-t600'));
    const ir = t.functions.map((f) => f.instructions);
    expect([...ir].sort((a, b) => b - a)).toEqual(ir);
    const one = cgDir('relay-t600')[1];
    const pumpOne =
      [...(one?.functions.values() ?? [])].find((f) => f.fn.startsWith('pump'))?.instructions ?? 0;
    expect(t.functions.find((f) => f.fn.startsWith('pump'))?.instructions).toBeGreaterThan(pumpOne);
  });

  it('calls a binary without symbols not symbolized', () => {
    const f = parseCachegrind('events: Ir\nfl=???\nfn=???\n0 900\nfl=x.c\nfn=main\n1 100\nsummary: 1000\n');
    expect(sumCachegrind([f]).symbolized).toBe(false);
    expect(sumCachegrind([]).symbolized).toBe(false);
  });
});

describe('parsePerfStat on recorded perf 6.1 CSV', () => {
  it('reads the four counters', () => {
    expect(perf('pgbouncer-t200.csv')).toEqual({
      ok: true,
      counts: { syscalls: 1966, contextSwitches: 519, taskClockMs: 15.54, pageFaults: 705 },
    });
  });

  it('gives about 6 syscalls per -S transaction through PgBouncer', () => {
    const a = perf('pgbouncer-t200.csv');
    const b = perf('pgbouncer-t600.csv');
    if (!a.ok || !b.ok) throw new Error('fixtures did not parse');
    expect((b.counts.syscalls - a.counts.syscalls) / 400).toBe(6);
  });

  it('names the events that were not counted', () => {
    const r = perf('not-supported.csv');
    expect(r).toEqual({
      ok: false,
      error: expect.stringMatching(/context-switches: missing.*page-faults: missing/),
    });
    expect(parsePerfStat('<not supported>,,raw_syscalls:sys_enter,0,100.00,,\n')).toMatchObject({
      ok: false,
      error: expect.stringContaining('raw_syscalls:sys_enter: <not supported>'),
    });
    expect(parsePerfStat('')).toMatchObject({ ok: false });
  });
});
