import { describe, expect, it } from 'vitest';
import { concurrencyOf } from '../../src/matrix/concurrency.js';
import { parseMatrix } from '../../src/matrix/load.js';
import { explainLimitFailure } from '../../src/runner/limit-failure.js';
import {
  cellLimitGuard,
  clientHolderShort,
  componentNofile,
  filesNeeded,
} from '../../src/runner/many-clients.js';
import { configOrder, planCells } from '../../src/runner/plan.js';
import { FD_MARGIN } from '../../src/stack/limits.js';
import { BACKEND_BUDGET_BYTES, postgresSizing, stackSizing } from '../../src/stack/sizing.js';
import { countTimeWait, portPressure } from '../../src/stack/tcp-states.js';

const GiB = 1024 ** 3;
const TEN_K = `
concurrency: [1000, 5000, 10000]
configs:
  - { name: direct, kind: direct, concurrency: [1000] }
  - { name: tx, kind: pgbouncer, default_pool_size: 20 }
workloads: [readonly]
`;

describe('a config of its own concurrency', () => {
  it('runs its own list; the others run the matrix list; --concurrency replaces both', () => {
    const m = parseMatrix(TEN_K, 'm.yaml');
    expect(concurrencyOf(m.spec, 'direct')).toEqual([1000]);
    expect(concurrencyOf(m.spec, 'tx')).toEqual([1000, 5000, 10000]);
    const cells = planCells(m, configOrder(['direct', 'tx'], 1, 'fixed', 1));
    expect(cells.map((c) => `${c.config}@${c.concurrency}`)).toEqual([
      'direct@1000',
      'tx@1000',
      'tx@5000',
      'tx@10000',
    ]);
    const quick = parseMatrix(TEN_K, 'm.yaml', { concurrency: [8] });
    expect(concurrencyOf(quick.spec, 'direct')).toEqual([8]);
  });
});

describe('stack sizing', () => {
  it('sizes max_connections for unpooled clients only, PgBouncer for its own largest concurrency', () => {
    const s = stackSizing(parseMatrix(TEN_K, 'm.yaml').spec, 24 * GiB);
    expect(s.postgres.sized).toBe(1020);
    expect(s.postgres.maxConnections).toBe(1020);
    expect(s.pgbouncer.tx).toEqual(expect.objectContaining({ maxClientConn: 10101, listenBacklog: 10000 }));
    expect(s.pgbouncer.direct).toBeUndefined();
  });

  it('fits the largest single pool when no client is unpooled (one config is up at a time)', () => {
    const m = parseMatrix(
      `
concurrency: [1, 150]
configs:
  - { name: a, kind: pgbouncer, default_pool_size: 90 }
  - { name: b, kind: pgbouncer, default_pool_size: 90, reserve_pool_size: 10 }
workloads: [readonly]
`,
      'm.yaml',
    );
    expect(postgresSizing(m.spec, 24 * GiB).sized).toBe(120);
  });

  it('caps max_connections at half the memory per backend budget, and says so', () => {
    const m = parseMatrix(TEN_K.replace('concurrency: [1000] }', 'concurrency: [10000] }'), 'm.yaml');
    const p = postgresSizing(m.spec, 24 * GiB);
    expect(p.sized).toBe(Math.floor((12 * GiB) / BACKEND_BUDGET_BYTES));
    expect(p.why).toContain('10020 wanted');
  });

  it("lets the matrix's own settings win and records both", () => {
    const m = parseMatrix(
      `${TEN_K}postgres: { settings: { max_connections: 150 } }\n`.replace(
        'default_pool_size: 20 }',
        'default_pool_size: 20, max_client_conn: 12000, settings: { listen_backlog: 512 } }',
      ),
      'm.yaml',
    );
    const s = stackSizing(m.spec, 24 * GiB);
    expect(s.postgres).toEqual(expect.objectContaining({ sized: 1020, maxConnections: 150 }));
    expect(s.pgbouncer.tx).toEqual(expect.objectContaining({ maxClientConn: 12000, listenBacklog: 512 }));
  });
});

describe('limits met by many clients', () => {
  it('refuses a cell when PgBouncer cannot open a file per client (it would stop accepting, not refuse)', () => {
    const files = [
      { name: 'postgres', soft: 1024 },
      { name: 'pgbouncer:tx', soft: 1024 },
    ];
    expect(clientHolderShort(500, files)).toBeUndefined();
    expect(clientHolderShort(5000, files)).toContain(
      `pgbouncer:tx may open 1024 files and 5000 clients need ${5000 + FD_MARGIN}`,
    );
    expect(clientHolderShort(5000, [{ name: 'postgres', soft: 1024 }])).toBeUndefined();
  });

  it('asks each of N PgBouncer workers for its share of the clients with slack, naming the worker', () => {
    // 10,000 clients over 4 workers: 2,500 each, 3,750 with the slack, plus the margin.
    expect(filesNeeded(10000, 4)).toBe(3750 + FD_MARGIN);
    expect(filesNeeded(10000)).toBe(10000 + FD_MARGIN);
    expect(filesNeeded(3, 2)).toBe(3 + FD_MARGIN);
    const workers = [1, 2, 3, 4].map((i) => ({ name: `pgbouncer:tx/worker-${i}`, soft: 4096, workers: 4 }));
    expect(clientHolderShort(10000, workers)).toBeUndefined();
    const low = [...workers.slice(0, 3), { name: 'pgbouncer:tx/worker-4', soft: 2048, workers: 4 }];
    expect(clientHolderShort(10000, low)).toBe(
      `pgbouncer:tx/worker-4 may open 2048 files and its share of 10000 clients over 4 workers needs ${3750 + FD_MARGIN}: raise its open-file limit (ulimit -n before bench, LimitNOFILE, or the container's nofile ulimit)`,
    );
  });

  it('names each worker in the open-file line', () => {
    const comps = [1, 2].map((i) => ({
      role: 'pgbouncer' as const,
      config: 'tx',
      name: `worker-${i}`,
      pid: 100 + i,
      port: 6432,
      alive: () => true,
    }));
    const files = componentNofile(
      comps as never,
      () => 'Max open files            4096                 4096                 files\n',
    );
    expect(files).toEqual([
      { name: 'pgbouncer:tx/worker-1', soft: 4096, workers: 2 },
      { name: 'pgbouncer:tx/worker-2', soft: 4096, workers: 2 },
    ]);
  });

  it('names the limit behind a failure, server or machine', () => {
    const ctx = {
      clients: 10000,
      maxConnections: 1536,
      maxClientConn: 10100,
      ephemeralPorts: 28232,
      nofile: 20000,
    };
    const tooMany =
      'pgbench: error: connection to server at "127.0.0.1", port 25432 failed: FATAL:  sorry, too many clients already';
    expect(explainLimitFailure(tooMany, ctx)).toContain(
      'max_connections is 1536 and 10000 clients without a pooler',
    );
    expect(explainLimitFailure('ERROR:  no more connections allowed (max_client_conn)', ctx)).toContain(
      'max_client_conn is 10100',
    );
    expect(explainLimitFailure('could not connect: Cannot assign requested address', ctx)).toContain(
      'the machine, not the pooler',
    );
    expect(
      explainLimitFailure('pgbench: error: need at least 10003 open files, but system limit is 1024', ctx),
    ).toContain('open-file limit');
    expect(explainLimitFailure('pgbench: error: some other error', ctx)).toBeUndefined();
    expect(explainLimitFailure(tooMany, undefined)).toBeUndefined();
  });

  it('on an external stack, does not claim the run set max_connections', () => {
    const m = parseMatrix(TEN_K, 'm.yaml');
    const cell = { config: 'direct', concurrency: 1000 };
    const tooMany = 'FATAL:  sorry, too many clients already';
    const external = cellLimitGuard(m.spec, cell, [], {}, 64 * GiB, 'external').context;
    expect(external.maxConnections).toBeUndefined();
    const why = explainLimitFailure(tooMany, external) ?? '';
    expect(why).toBe(
      "PostgreSQL refused the clients: the external server's max_connections (its own setting, not set by the run) is below what 1000 clients and the other sessions on it need (raise it there, or put a pooler in front)",
    );
    expect(why).not.toContain('set by the run,');
    const own = cellLimitGuard(m.spec, cell, [], {}, 64 * GiB).context;
    expect(explainLimitFailure(tooMany, own)).toContain('a server limit set by the run');
  });

  it('counts TIME_WAIT sockets in /proc/net/tcp and warns when ports run short', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:6D9E 00000000:0000 0A 00000000:00000000 00:00000000 00000000   108        0 1 1',
      '   1: 0100007F:9C40 0100007F:6D9E 06 00000000:00000000 03:00001765 00000000     0        0 0 3',
      '   2: 0100007F:9C41 0100007F:6D9E 06 00000000:00000000 03:00001765 00000000     0        0 0 3',
      '   3: 0100007F:9C42 0100007F:6D9E 01 00000000:00000000 00:00000000 00000000     0        0 2 1',
    ].join('\n');
    expect(countTimeWait(text)).toBe(2);
    expect(portPressure({ timeWait: 100, clients: 1000, usable: 28232 })).toBeUndefined();
    expect(portPressure({ timeWait: 20000, clients: 5000, usable: 28232 })).toContain('not the pooler');
  });
});

describe('checkClientLimits on a config of its own concurrency', () => {
  it('names the config field when its list is beyond the machine', async () => {
    const { checkClientLimits } = await import('../../src/stack/limits.js');
    expect(() =>
      checkClientLimits(
        'm.yaml',
        [1, 30000],
        { nofile: { soft: 20000, hard: 20000 } },
        'configs[0].concurrency',
      ),
    ).toThrow(/^m\.yaml: configs\[0\]\.concurrency\[1\]: expected at most 19872 clients/);
  });
});
