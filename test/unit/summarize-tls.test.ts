import { expect, describe as group, it } from 'vitest';
import type { CompletedCell } from '../../src/results/types.js';
import { perCoreTable, tlsFigures, withPerCore } from '../../summarize/model/connections-per-core.js';
import type { Row } from '../../summarize/model/row.js';
import { describe } from '../../summarize/model/stats.js';

function row(over: Partial<Row>): Row {
  return {
    config: 'pgb',
    workload: 'readonly-short',
    concurrency: 8,
    configKind: 'pgbouncer',
    reconnect: true,
    isBaseline: false,
    repsCompleted: 2,
    tps: describe([1900, 2100]),
    processed: 0,
    failedTransactions: 0,
    connectionErrors: 0,
    abortedReps: 0,
    failedCells: [],
    skippedCells: [],
    samples: [],
    sampling: {
      components: [
        { name: 'pgbouncer:pgb', role: 'pgbouncer', cpuCoresMean: 0.5 },
        { name: 'postgres', role: 'postgres', cpuCoresMean: 0.25 },
      ],
    },
    ...over,
  };
}

group('connections per pooler core', () => {
  it('is mean TPS over the mean CPU of the first hop, with CPU ms per connection', () => {
    const r = withPerCore(row({}));
    expect(r.perCore).toEqual({
      role: 'pgbouncer',
      connectionsPerS: 2000,
      cpuCores: 0.5,
      perCore: 4000,
      cpuMsPerConnection: 0.25,
      postgresCpuMsPerConnection: 0.125,
    });
  });

  it("uses PostgreSQL's CPU for direct, and sums several PgBouncer processes", () => {
    expect(withPerCore(row({ configKind: 'direct' })).perCore?.perCore).toBe(8000);
    const two = row({
      sampling: {
        components: [
          { name: 'pgbouncer:pgb', role: 'pgbouncer', cpuCoresMean: 0.5 },
          { name: 'pgbouncer:pgb#2', role: 'pgbouncer', cpuCoresMean: 0.5 },
        ],
      },
    });
    expect(withPerCore(two).perCore?.perCore).toBe(2000);
  });

  it('is absent without -C or without sampled CPU, and the table then is too', () => {
    expect(withPerCore(row({ reconnect: false })).perCore).toBeUndefined();
    expect(withPerCore(row({ sampling: { components: [] } })).perCore).toBeUndefined();
    expect(perCoreTable([row({ reconnect: false })], 'readonly-short')).toBeUndefined();
  });

  it('the table shows the negotiated TLS per side from the cell records', () => {
    const side = (mode: 'require' | 'disable', tls: number) => ({
      mode,
      source: 'pg_stat_ssl' as const,
      polls: 10,
      tlsObservations: tls,
      plainObservations: tls === 0 ? 5 : 0,
      negotiated:
        tls === 0 ? [] : [{ version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', observations: tls }],
    });
    const cells = [
      { tls: { intervalMs: 100, client: side('require', 4), server: side('disable', 0) } },
      { tls: { intervalMs: 100, client: side('require', 3), server: side('disable', 0) } },
    ] as unknown as CompletedCell[];
    const figures = tlsFigures(cells);
    expect(figures.tls?.client).toEqual({
      mode: 'require',
      negotiated: 'TLSv1.3 TLS_AES_256_GCM_SHA384',
      tlsObservations: 7,
      plainObservations: 0,
    });
    const table = perCoreTable([withPerCore(row(figures))], 'readonly-short') ?? '';
    expect(table).toContain(
      '| pgb | 8 | require: TLSv1.3 TLS_AES_256_GCM_SHA384 | off | 2,000 | pgbouncer | 0.50 | 4,000 | 0.250 | 0.125 |',
    );
  });
});
