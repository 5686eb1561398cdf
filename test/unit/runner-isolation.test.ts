import { describe, expect, it } from 'vitest';
import { countIsolation, describeIsolation } from '../../src/runner/isolation.js';

describe('countIsolation', () => {
  it("counts the config's own role apart, ignores the harness's superuser, and names the others", () => {
    const c = countIsolation(
      [
        { usename: 'bench_pgpool', n: 4 },
        { usename: 'bench', n: 2 },
        { usename: 'bench_direct', n: 1 },
        { usename: 'someone', n: 3 },
      ],
      'bench_direct',
    );
    expect(c).toEqual({ foreign: { bench_pgpool: 4, someone: 3 }, foreignTotal: 7, own: 1 });
    expect(describeIsolation(c, 10_000)).toBe(
      'isolation: 7 foreign client backends (bench_pgpool: 4, someone: 3), 1 of this config, after waiting 10000 ms',
    );
  });

  it('is clean with only the harness and the config', () => {
    const c = countIsolation([{ usename: 'bench', n: 1 }], 'bench_x');
    expect(c.foreignTotal).toBe(0);
    expect(describeIsolation(c, 0)).toBe('isolation: 0 foreign client backends, 0 of this config');
  });
});
