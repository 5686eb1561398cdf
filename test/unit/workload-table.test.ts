import { describe, expect, it } from 'vitest';
import { BUILTIN_WORKLOADS } from '../../src/matrix/schema.js';
import { resolveWorkload, workloadFlags, workloadWrites } from '../../src/matrix/workload.js';
import { writes } from '../../src/runner/prepare.js';

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

  it('says which write (a custom script may), as the runner decided before the table held it', () => {
    const custom = resolveWorkload({ name: 'mine', script: 'x.sql', flags: [] }, '/m');
    for (const w of [...BUILTIN_WORKLOADS.map((b) => resolveWorkload(b, '/m')), custom]) {
      expect(workloadWrites(w), w.name).toBe(writes(w));
    }
    expect(BUILTIN_WORKLOADS.filter((b) => workloadWrites(resolveWorkload(b, '/m')))).toEqual([
      'tpcb',
      'tpcb-short',
    ]);
    expect(workloadWrites(custom)).toBe(true);
  });
});
