import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellRecord } from '../../src/results/types.js';
import { bench, onlyRunDir, readCells, tempResults, writeMatrix } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * A real PgBouncer killed (SIGKILL) 1.5 s into a 4 s cell of 2 clients: every client aborts, so
 * nothing completes for the rest of the cell. The outage table must have the numbers, the event
 * gate (max_outage_ms below the measured gap) must fail the run, and the same run summarized with
 * the limit above the gap must pass. One cell (~30 s with the stack): the gate's failure and its
 * pass are both read from it.
 */
const MATRIX = `
name: outage-it
duration: 4s
settle: 200ms
reps: 1
scale: 1
concurrency: [2]
auth: trust
config_order: fixed
configs:
  - { name: kill, kind: pgbouncer, pool_mode: transaction }
workloads: [readonly]
events:
  - { at: 1500ms, signal: SIGKILL, target: kill/pgbouncer }
gates:
  events:
    "events[0]": { max_outage_ms: 300 }
`;

describe('the outage of a killed PgBouncer, measured (native)', () => {
  let runDir: string;
  let cell: CellRecord;
  let output: string;
  let exitCode: number | undefined;
  let outage: Record<string, unknown> & { recovery: Record<string, unknown> };

  beforeAll(async () => {
    const results = tempResults();
    const file = writeMatrix(tempDir('bench-outage-'), 'outage.yaml', MATRIX);
    const r = await bench(['run', file, '--provider', 'native', '--results-dir', results]);
    output = String(r.all);
    exitCode = r.exitCode;
    runDir = onlyRunDir(results);
    [cell] = readCells(runDir) as [CellRecord];
    const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
    outage = summary.outages?.[0];
  }, 120_000);

  it("stamps the aborted clients from pgbench's stderr, after the kill", () => {
    expect(cell.state, output).toBe('completed');
    const [e] = cell.events ?? [];
    expect(e?.firedAt, JSON.stringify(cell.events)).toBeDefined();
    expect(cell.abortedAt, JSON.stringify(cell.stderrEvents)).toHaveLength(2);
    for (const t of cell.abortedAt ?? []) {
      expect(t).toBeGreaterThanOrEqual(e?.firedAt as number);
      expect(t - (e?.firedAt as number)).toBeLessThan(1000);
    }
    expect(cell.stderrEvents?.filter((x) => x.kind === 'aborted')).toHaveLength(2);
  });

  it('measures the gap to the end of the cell, the first failure and the clients lost', () => {
    expect(outage, output).toBeDefined();
    expect(outage.matrixIndex).toBe(0);
    expect(outage.label).toBe('SIGKILL kill/pgbouncer');
    expect(outage.timeline).toBe(true);
    expect(outage.aborted).toBe(2);
    expect(outage.clientsLeft).toBe(0);
    expect(outage.firstFailure).toBe('aborted client');
    expect(outage.firstFailureMs as number).toBeGreaterThanOrEqual(0);
    expect(outage.firstFailureMs as number).toBeLessThan(1000);
    // Nothing completed after the kill: the gap runs from the last completion to the end (~2.5 s).
    expect(outage.gapOpen).toBe(true);
    expect(outage.gapMs as number).toBeGreaterThan(1500);
    expect(outage.gapMs as number).toBeLessThan(3500);
    expect(Math.abs(outage.gapStartMs as number)).toBeLessThan(500);
    expect(outage.recovery.tpsBefore as number).toBeGreaterThan(0);
    expect(outage.recovery.state).toBe('not-back');
    expect(outage.verdict).toMatch(
      /^seen by clients: every client aborted \(pgbench does not reconnect them\).*nothing completed for the rest of the cell; TPS not back/,
    );
  });

  it('writes the table into FINDINGS.md and report.html, the event on the time axis', () => {
    const findings = readFileSync(path.join(runDir, 'FINDINGS.md'), 'utf8');
    expect(findings).toContain('## Events and the outage they caused');
    expect(findings).toMatch(
      /\| kill__readonly__c2__r1 \| events\[0\] SIGKILL kill\/pgbouncer \| 1\.\d\d \| (?:\d+|—) \| \d+ \| [\d,]+ \(to end\) \|/,
    );
    expect(findings).toContain('pgbench does not reconnect a client');
    const html = readFileSync(path.join(runDir, 'report.html'), 'utf8');
    expect(html).toContain('id="outage-table"');
    expect(html).toContain(`data-value="${outage.gapMs}"`);
    expect(html).toContain('SIGKILL kill/pgbouncer');
  });

  it('fails the run on max_outage_ms below the gap, naming the event; passes with the limit above it', async () => {
    expect(exitCode, output).toBe(1);
    expect(output).toMatch(/max_outage_ms\s*│\s*kill\s*│\s*readonly/);
    expect(output).toMatch(
      /kill \/ readonly \/ 2 clients, rep 1: events\[0\] \(SIGKILL kill\/pgbouncer at 1\.\d\d s\): longest gap with no completed transaction \(ms\) \d+ breaks max_outage_ms = 300/,
    );
    // The same run with the limit above the measured gap: the event gate passes.
    const runJson = path.join(runDir, 'run.json');
    const run = JSON.parse(readFileSync(runJson, 'utf8'));
    run.effective.gates.events['events[0]'].max_outage_ms = (outage.gapMs as number) + 1000;
    writeFileSync(runJson, JSON.stringify(run));
    const again = await bench(['summarize', runDir, '--check']);
    expect(again.exitCode, String(again.all)).toBe(0);
  }, 60_000);
});
