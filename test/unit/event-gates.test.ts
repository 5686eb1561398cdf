import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { parseMatrix } from '../../src/matrix/load.js';
import { evaluateEventGates } from '../../summarize/model/event-gates.js';
import type { EventOutage } from '../../summarize/model/outage.js';

const base = `
name: g
duration: 10s
concurrency: [8]
configs:
  - { name: direct, kind: direct }
  - { name: pgb, kind: pgbouncer }
workloads: [tpcb]
events:
  - { at: 2s, signal: SIGINT, target: pgb/pgbouncer }
  - { at: 6s, admin: PAUSE, target: pgb/pgbouncer }
`;

describe('event gates in the matrix', () => {
  it('takes max_outage_ms and max_failed_transactions per event, matrix-wide and per config', () => {
    const m = parseMatrix(
      `${base}gates: { events: { "events[0]": { max_outage_ms: 500 } } }\n`.replace(
        '{ name: pgb, kind: pgbouncer }',
        '{ name: pgb, kind: pgbouncer, gates: { events: { "events[1]": { max_failed_transactions: 0 } } } }',
      ),
      'm.yaml',
    );
    expect(m.spec.gates?.events).toEqual({ 'events[0]': { max_outage_ms: 500 } });
    expect(m.spec.configs.find((c) => c.name === 'pgb')?.gates?.events).toEqual({
      'events[1]': { max_failed_transactions: 0 },
    });
  });

  it('refuses an unknown event, with exit 2 naming the gate', () => {
    expect(() =>
      parseMatrix(`${base}gates: { events: { "events[2]": { max_outage_ms: 5 } } }\n`, 'm.yaml'),
    ).toThrow(/gates\.events\.events\[2\].*an event of the matrix \(events has events\[0\] to events\[1\]\)/);
    expect(() =>
      parseMatrix(`${base}gates: { events: { pause: { max_outage_ms: 5 } } }\n`, 'm.yaml'),
    ).toThrow(
      /gates\.events\.pause: expected an event as events\[i\], its index in the matrix's events: list, got "pause"/,
    );
  });

  it('takes max_aborted_clients per event and refuses an unknown gate key with exit 2', () => {
    const m = parseMatrix(
      `${base}gates: { events: { "events[0]": { max_aborted_clients: 0 } } }\n`,
      'm.yaml',
    );
    expect(m.spec.gates?.events).toEqual({ 'events[0]': { max_aborted_clients: 0 } });
    let err: unknown;
    try {
      parseMatrix(`${base}gates: { events: { "events[0]": { max_aborted: 0 } } }\n`, 'm.yaml');
    } catch (e) {
      err = e;
    }
    expect(String(err)).toMatch(/gates\.events\.events\[0\].*max_aborted/);
    // ConfigurationError: the CLI's exit 2 (src/cli.ts).
    expect(err).toBeInstanceOf(ConfigurationError);
  });

  it("refuses a config's gate on another config's event", () => {
    const text = base.replace(
      '{ name: direct, kind: direct }',
      '{ name: direct, kind: direct, gates: { events: { "events[0]": { max_outage_ms: 5 } } } }',
    );
    expect(() => parseMatrix(text, 'm.yaml')).toThrow(
      /configs\[0\]\.gates\.events\.events\[0\]: expected an event of direct \(events\[0\] targets pgb\/pgbouncer\)/,
    );
  });

  it('re-keys the gates when --configs drops events before them', () => {
    const text = `${base
      .replace(
        '- { name: direct, kind: direct }',
        '- { name: direct, kind: direct }\n  - { name: other, kind: pgbouncer }',
      )
      .replace(
        'events:\n',
        'events:\n  - { at: 1s, signal: SIGINT, target: other/pgbouncer }\n',
      )}gates: { events: { "events[0]": { max_outage_ms: 1 }, "events[2]": { max_outage_ms: 700 } } }\n`;
    const m = parseMatrix(text, 'm.yaml', { configs: ['pgb'] });
    expect(m.spec.events).toHaveLength(2);
    expect(m.spec.gates?.events).toEqual({ 'events[1]': { max_outage_ms: 700 } });
  });
});

function outage(over: Partial<EventOutage> = {}): EventOutage {
  return {
    cellId: 'pgb__tpcb__c8__r1',
    config: 'pgb',
    workload: 'tpcb',
    concurrency: 8,
    rep: 1,
    eventIndex: 0,
    matrixIndex: 0,
    kind: 'signal',
    label: 'SIGINT pgb/pgbouncer',
    atS: 2.01,
    windowMs: 4000,
    timeline: true,
    gapMs: 812,
    gapStartMs: 3,
    gapMinMs: 20,
    recovery: { beforeMs: 2000, state: 'back', backMs: 750, tpsBefore: 1000 },
    failed: 3,
    aborted: 0,
    clientsLeft: 8,
    connectionErrors: 0,
    verdict: '',
    ...over,
  };
}

describe('evaluateEventGates', () => {
  const effective = {
    gates: { events: { 'events[0]': { max_outage_ms: 500, max_failed_transactions: 3 } } },
    configs: [{ name: 'pgb', kind: 'pgbouncer' }],
    workloads: ['tpcb'],
  };

  it('fails the longest gap above max_outage_ms, naming the event, the cell and the config', () => {
    const r = evaluateEventGates([outage()], effective);
    expect(r.checked).toBe(2);
    expect(r.failures.map((f) => f.message)).toEqual([
      'pgb / tpcb / 8 clients, rep 1: events[0] (SIGINT pgb/pgbouncer at 2.01 s): longest gap with no completed transaction (ms) 812 breaks max_outage_ms = 500',
    ]);
    expect(r.failures[0]).toMatchObject({
      gate: 'max_outage_ms',
      event: 'events[0]',
      cellId: 'pgb__tpcb__c8__r1',
    });
  });

  it('passes within the limits; a gap too short to list counts as below it', () => {
    expect(evaluateEventGates([outage({ gapMs: 400 })], effective).failures).toEqual([]);
    const { gapMs: _g, ...noGap } = outage();
    expect(evaluateEventGates([noGap as EventOutage], effective).failures).toEqual([]);
  });

  it('fails max_failed_transactions per event, and an event without a timeline cannot pass', () => {
    const r = evaluateEventGates([outage({ gapMs: 10, failed: 4 })], effective);
    expect(r.failures.map((f) => f.gate)).toEqual(['max_failed_transactions']);
    const nt = evaluateEventGates([outage({ timeline: false })], effective);
    expect(nt.failures).toHaveLength(2);
    expect(nt.failures[0]?.message).toMatch(/not measured .* cannot pass$/);
  });

  it('leaves ungated events alone and refuses to guess an unmatched one', () => {
    expect(evaluateEventGates([outage({ matrixIndex: 1 })], effective).failures).toEqual([]);
    const { matrixIndex: _m, ...unknown } = outage();
    expect(evaluateEventGates([unknown as EventOutage], effective).failures[0]?.message).toMatch(
      /cannot be matched to an entry of events:/,
    );
    expect(evaluateEventGates([outage()], { configs: [], workloads: [] }).checked).toBe(0);
  });

  it('fails max_aborted_clients when pgbench aborted clients instead of failing transactions', () => {
    const eff = {
      ...effective,
      gates: { events: { 'events[0]': { max_failed_transactions: 0, max_aborted_clients: 0 } } },
    };
    const r = evaluateEventGates([outage({ failed: 0, aborted: 8, clientsLeft: 0 })], eff);
    expect(r.checked).toBe(2);
    expect(r.failures.map((f) => f.message)).toEqual([
      'pgb / tpcb / 8 clients, rep 1: events[0] (SIGINT pgb/pgbouncer at 2.01 s): clients aborted 8 breaks max_aborted_clients = 0',
    ]);
    // Aborts come from stderr: checked without a timeline too.
    const nt = evaluateEventGates([outage({ timeline: false, aborted: 0 })], {
      ...effective,
      gates: { events: { 'events[0]': { max_aborted_clients: 0 } } },
    });
    expect(nt.failures).toEqual([]);
  });

  it('fails a gate on an event a cell never sent: a gate nobody could check has not passed', () => {
    const unsent = {
      cellId: 'pgb__tpcb__c8__r1',
      config: 'pgb',
      workload: 'tpcb',
      concurrency: 8,
      rep: 1,
      matrixIndex: 0,
      label: 'SIGINT pgb/pgbouncer at 9.00 s planned',
      why: 'not sent: pgbench ended first',
    };
    const r = evaluateEventGates([], effective, [unsent]);
    expect(r.checked).toBe(2);
    expect(r.failures.map((f) => f.gate)).toEqual(['max_outage_ms', 'max_failed_transactions']);
    expect(r.failures[0]?.message).toBe(
      'pgb / tpcb / 8 clients, rep 1: events[0] (SIGINT pgb/pgbouncer at 9.00 s planned): not sent: pgbench ended first, so max_outage_ms = 500 was never checked: a gate nobody could check has not passed',
    );
    expect(evaluateEventGates([], effective, [{ ...unsent, matrixIndex: 1 }]).failures).toEqual([]);
  });
});
