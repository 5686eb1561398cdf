import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bench } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/** --json and --quiet through the built CLI (npm test builds first), on a recorded run. */
const fixture = path.resolve(import.meta.dirname, '../fixtures/runs/three-reps');
const tmp = tempDir('bench-cli-json-');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('machine-readable output for CI', () => {
  it('summarize --json prints exactly one JSON document on stdout, the table on stderr', async () => {
    const r = await bench(['summarize', fixture, '--out', path.join(tmp, 's'), '--json']);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const doc = JSON.parse(String(r.stdout));
    expect(doc.schema).toBe('bench-summary/1');
    expect(doc.rows).toHaveLength(8);
    expect(doc.tldr.length).toBeGreaterThan(0);
    expect(doc.files.some((f: string) => f.endsWith('report.html'))).toBe(true);
    expect(String(r.stderr)).toContain('TPS');
  });

  it('summarize --quiet prints nothing and still writes the outputs', async () => {
    const r = await bench(['summarize', fixture, '--out', path.join(tmp, 'q'), '--quiet']);
    expect(r.exitCode).toBe(0);
    expect(String(r.stdout)).toBe('');
    expect(String(r.stderr)).toBe('');
  });

  it('compare --json prints the comparison document only', async () => {
    const r = await bench([
      'compare',
      fixture,
      '--baseline-config',
      'direct',
      '--candidate-config',
      'pgbouncer-tx',
      '--json',
      '--allow-inconclusive',
    ]);
    const doc = JSON.parse(String(r.stdout));
    expect(doc.mode).toBe('paired');
    expect(Array.isArray(doc.groups)).toBe(true);
    expect(String(r.stderr).length).toBeGreaterThan(0);
  });

  it('doctor --json prints its checks as JSON', async () => {
    const r = await bench(['doctor', '--json']);
    const doc = JSON.parse(String(r.stdout));
    expect(Array.isArray(doc.checks)).toBe(true);
    expect(doc.checks.some((c: { name: string }) => c.name === 'node')).toBe(true);
  });
});
