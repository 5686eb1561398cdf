import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { summarize } from '../../src/commands/summarize.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * github-action-benchmark's custom tools read a JSON array of `{ name, unit, value, range?, extra? }`
 * (value a number, range and extra strings); `tool: customBiggerIsBetter` for TPS and
 * `customSmallerIsBetter` for latency. summarize writes both beside FINDINGS.md.
 */
const fixture = path.resolve(import.meta.dirname, '../fixtures/runs/three-reps');
const out = tempDir('bench-gab-');
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('github-action-benchmark export from summarize', () => {
  it('writes one TPS entry and one p99 entry per row, in the custom tools format', async () => {
    const s = await summarize({ dirs: [fixture], out });
    const tps = JSON.parse(readFileSync(path.join(out, 'github-benchmark-tps.json'), 'utf8'));
    const p99 = JSON.parse(readFileSync(path.join(out, 'github-benchmark-p99.json'), 'utf8'));
    expect(tps).toHaveLength(s.rows.length);
    expect(p99).toHaveLength(s.rows.length);
    for (const e of [...tps, ...p99]) {
      expect(Object.keys(e).every((k) => ['name', 'unit', 'value', 'range', 'extra'].includes(k))).toBe(true);
      expect(typeof e.name).toBe('string');
      expect(Number.isFinite(e.value)).toBe(true);
      if ('range' in e) expect(typeof e.range).toBe('string');
    }
    const row = s.rows.find(
      (r) => r.config === 'pgbouncer-tx' && r.workload === 'readonly' && r.concurrency === 8,
    );
    const entry = tps.find((e: { name: string }) => e.name === 'pgbouncer-tx / readonly / 8 clients - TPS');
    expect(entry.unit).toBe('tps');
    expect(entry.value).toBeCloseTo(row?.tps.mean ?? Number.NaN, 3);
    expect(p99.every((e: { unit: string }) => e.unit === 'ms')).toBe(true);
    expect(new Set(tps.map((e: { name: string }) => e.name)).size).toBe(tps.length);
  });
});
