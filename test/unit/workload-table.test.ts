import { describe, expect, it } from 'vitest';
import { BUILTIN_WORKLOADS } from '../../src/matrix/schema.js';
import { resolveWorkload, workloadFlags, workloadWrites } from '../../src/matrix/workload.js';

describe('the built-in workload table', () => {
  it('lists the four built-ins the schema accepts', () => {
    expect(BUILTIN_WORKLOADS).toEqual(['tpcb', 'readonly', 'readonly-short', 'tpcb-short']);
  });

  it('gives each its pgbench flags: -S for select-only, -C for a connection per transaction', () => {
    const flags = Object.fromEntries(
      BUILTIN_WORKLOADS.map((w) => [w, workloadFlags(resolveWorkload(w, '/m'))]),
    );
    expect(flags).toEqual({
      tpcb: [],
      readonly: ['-S'],
      'readonly-short': ['-S', '-C'],
      'tpcb-short': ['-C'],
    });
  });

  it('says which write (a custom script may): those get a vacuum before the next cell', () => {
    const custom = resolveWorkload({ name: 'mine', script: 'x.sql', flags: [] }, '/m');
    expect(BUILTIN_WORKLOADS.filter((b) => workloadWrites(resolveWorkload(b, '/m')))).toEqual([
      'tpcb',
      'tpcb-short',
    ]);
    expect(workloadWrites(custom)).toBe(true);
  });
});
