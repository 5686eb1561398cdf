import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { unrestartableIssues } from '../../src/matrix/event-issues.js';
import { parseMatrix } from '../../src/matrix/load.js';

const base = `
duration: 10s
concurrency: [8]
workloads: [tpcb]
configs:
  - { name: ha, kind: pgbouncer, standby: true, on_failover: reload }
  - { name: flaky, kind: direct, fault_relay: true }
events:
`;
const withEvents = (...events: string[]) => `${base}${events.map((e) => `  - ${e}\n`).join('')}`;

function err(text: string): string {
  try {
    parseMatrix(text, 'm.yaml', {});
  } catch (e) {
    if (e instanceof ConfigurationError) return e.message;
    throw e;
  }
  throw new Error('expected a ConfigurationError');
}

describe('events one cell cannot run in sequence', () => {
  it('refuses a second failover of a config in one cell', () => {
    expect(
      err(
        withEvents(
          '{ at: 2s, target: ha/postgres, failover: promote }',
          '{ at: 60%, target: ha/postgres, failover: promote }',
        ),
      ),
    ).toMatch(/^m\.yaml: events\[1\]\.failover: expected no failover event after events\[0\]'s failover/);
  });

  it('refuses a postgres restart after a failover, not before it', () => {
    expect(
      err(
        withEvents(
          '{ at: 2s, target: ha/postgres, failover: promote }',
          '{ at: 5s, target: ha/postgres, postgres: restart-fast }',
        ),
      ),
    ).toMatch(/^m\.yaml: events\[1\]\.postgres: expected no postgres event after events\[0\]'s failover/);
    expect(() =>
      parseMatrix(
        withEvents(
          '{ at: 5s, target: ha/postgres, failover: promote }',
          '{ at: 1s, target: ha/postgres, postgres: restart-fast }',
        ),
        'm.yaml',
        {},
      ),
    ).not.toThrow();
  });

  it("refuses a fault whose for runs past the cell's end", () => {
    expect(err(withEvents('{ at: 8s, target: flaky/relay, fault: { latency: 50ms, for: 3s } }'))).toMatch(
      /^m\.yaml: events\[0\]\.fault\.for: expected a latency that ends inside the cell \(8 s \+ 3 s runs past tpcb's 10 s\)/,
    );
    expect(() =>
      parseMatrix(
        withEvents('{ at: 7s, target: flaky/relay, fault: { latency: 50ms, for: 3s } }'),
        'm.yaml',
        {},
      ),
    ).not.toThrow();
  });

  it('refuses a fault relay together with a standby', () => {
    const text = base.replace('fault_relay: true', 'fault_relay: true, standby: true');
    expect(err(`${text}  []\n`.replace('events:\n  []', 'events: []'))).toMatch(
      /^m\.yaml: configs\[1\]\.fault_relay: expected fault_relay or standby, not both/,
    );
  });
});

describe('events a server that cannot restart cannot take', () => {
  const events = parseMatrix(
    withEvents(
      '{ at: 1s, target: ha/postgres, postgres: terminate-pooled-backends }',
      '{ at: 2s, target: ha/postgres, postgres: crash }',
      '{ at: 5s, target: ha/postgres, failover: promote }',
    ),
    'm.yaml',
    {},
  ).spec.events;

  it('names every restart, crash and failover, not a backend termination', () => {
    const issues = unrestartableIssues(events, () => ({ ok: false, why: 'official image' }));
    expect(issues.map((i) => i.path.join('.'))).toEqual(['events.1.postgres', 'events.2.failover']);
    expect(issues[0]?.message).toBe('a server that can be restarted (official image)');
    expect(unrestartableIssues(events, () => ({ ok: true }))).toEqual([]);
  });
});
