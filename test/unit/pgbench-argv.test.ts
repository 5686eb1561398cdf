import { describe, expect, it } from 'vitest';
import type { Workload } from '../../src/matrix/workload.js';
import { autoThreads, cellArgv, initArgv, pgbenchEnv } from '../../src/pgbench/argv.js';
import type { Endpoint } from '../../src/stack/types.js';

const endpoint: Endpoint = {
  host: '127.0.0.1',
  port: 25432,
  database: 'bench',
  user: 'bench_pgbouncer_tx',
  password: 's3cret-not-in-argv',
};
const readonly: Workload = {
  name: 'readonly',
  builtin: 'readonly',
  scripts: [],
  reconnect: false,
  flags: [],
};

/** The value following `flag` in argv (pgbench's `-c 8` style). */
function flagValue(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i < 0 ? undefined : argv[i + 1];
}

describe('cellArgv', () => {
  const argv = cellArgv({
    endpoint,
    workload: readonly,
    clients: 8,
    threads: 2,
    durationS: 30,
    protocol: 'prepared',
    logPrefix: 'txlog',
  });

  it('puts the endpoint, clients, threads, duration and protocol into their flags', () => {
    expect(flagValue(argv, '-h')).toBe('127.0.0.1');
    expect(flagValue(argv, '-p')).toBe('25432');
    expect(flagValue(argv, '-U')).toBe('bench_pgbouncer_tx');
    expect(flagValue(argv, '-c')).toBe('8');
    expect(flagValue(argv, '-j')).toBe('2');
    expect(flagValue(argv, '-T')).toBe('30');
    expect(flagValue(argv, '-M')).toBe('prepared');
    expect(flagValue(argv, '-P')).toBe('1');
  });

  it('never vacuums on its own, asks for detailed failures, and ends with the database', () => {
    expect(argv).toContain('-n');
    expect(argv).toContain('--failures-detailed');
    expect(argv.at(-1)).toBe('bench');
  });

  it('keeps the password out of argv (it goes in PGPASSWORD)', () => {
    expect(argv.join(' ')).not.toContain(endpoint.password);
    expect(pgbenchEnv(endpoint).PGPASSWORD).toBe(endpoint.password);
  });

  it('logs transactions only when given a prefix', () => {
    expect(argv).toContain('-l');
    expect(argv).toContain('--log-prefix=txlog');
    const noLog = cellArgv({
      endpoint,
      workload: readonly,
      clients: 1,
      threads: 1,
      durationS: 5,
      protocol: 'simple',
    });
    expect(noLog).not.toContain('-l');
    expect(noLog.some((a) => a.startsWith('--log-prefix'))).toBe(false);
  });

  it('adds the workload flags: -S for readonly, -C when reconnecting, scripts and extra flags', () => {
    expect(argv).toContain('-S');
    expect(argv).not.toContain('-C');
    const custom = cellArgv({
      endpoint,
      workload: {
        name: 'web',
        scripts: ['/m/scripts/web.sql@3'],
        reconnect: true,
        flags: ['--rate', '2000'],
      },
      clients: 4,
      threads: 2,
      durationS: 10,
      protocol: 'simple',
    });
    expect(flagValue(custom, '-f')).toBe('/m/scripts/web.sql@3');
    expect(custom).toContain('-C');
    expect(flagValue(custom, '--rate')).toBe('2000');
    expect(custom).not.toContain('-S');
    // The database stays last: pgbench takes the first non-option argument as the database.
    expect(custom.at(-1)).toBe('bench');
  });
});

describe('autoThreads and initArgv', () => {
  it('uses as many threads as cores, never more than clients, at least one', () => {
    expect(autoThreads(1, 2)).toBe(1);
    expect(autoThreads(8, 2)).toBe(2);
    expect(autoThreads(8, 16)).toBe(8);
    expect(autoThreads(0, 2)).toBe(1);
  });

  it('initialises at the given scale, quietly, without the password', () => {
    const argv = initArgv(endpoint, 10);
    expect(argv).toContain('-i');
    expect(flagValue(argv, '-s')).toBe('10');
    expect(argv).toContain('-q');
    expect(argv.at(-1)).toBe('bench');
    expect(argv.join(' ')).not.toContain(endpoint.password);
  });
});

describe('a direct config with a standby (libpq multi-host)', () => {
  const withStandby: Endpoint = { ...endpoint, fallbacks: [{ host: '127.0.0.1', port: 25433 }] };
  const argv = cellArgv({
    endpoint: withStandby,
    workload: readonly,
    clients: 8,
    threads: 2,
    durationS: 5,
    protocol: 'simple',
  });

  it('lists both servers in -h and -p, primary first', () => {
    expect(flagValue(argv, '-h')).toBe('127.0.0.1,127.0.0.1');
    expect(flagValue(argv, '-p')).toBe('25432,25433');
  });

  it('asks libpq for the one that accepts writes, and only then', () => {
    expect(pgbenchEnv(withStandby).PGTARGETSESSIONATTRS).toBe('read-write');
    expect(pgbenchEnv(endpoint).PGTARGETSESSIONATTRS).toBeUndefined();
  });
});
