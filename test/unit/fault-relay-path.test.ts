import { describe, expect, it } from 'vitest';
import { parseMatrix } from '../../src/matrix/load.js';
import type { FaultRelay } from '../../src/stack/fault-relay.js';
import {
  type ComponentStarter,
  type PathEnv,
  type PgbouncerLaunch,
  startConfigPath,
} from '../../src/stack/path.js';
import type { Component, Endpoint } from '../../src/stack/types.js';

const MATRIX = `
concurrency: [1]
configs:
  - { name: direct, kind: direct, fault_relay: true }
  - { name: plain, kind: direct }
  - { name: tx, kind: pgbouncer, fault_relay: true }
workloads: [readonly]
`;

const POSTGRES: Endpoint = {
  host: '127.0.0.1',
  port: 5432,
  database: 'bench',
  user: 'bench',
  password: 'pw',
};

function fakeComponent(role: Component['role'], port: number): Component {
  return { role, port, alive: () => true, logTail: () => '', stop: async () => undefined };
}

/** A starter that records what it was asked to start (the path's decisions are what is tested). */
function recordingStarter() {
  const launches: PgbouncerLaunch[] = [];
  const relayUpstreams: Endpoint[] = [];
  const starter: ComponentStarter = {
    pgbouncer: async (l) => {
      launches.push(l);
      return fakeComponent('pgbouncer', l.port);
    },
    proxy: async (l) => fakeComponent('proxy', l.port),
    standby: async (l) => fakeComponent('postgres', l.port),
    relay: async (config, upstream): Promise<FaultRelay> => {
      relayUpstreams.push(upstream);
      return {
        component: { ...fakeComponent('relay', 21000), config },
        control: { port: 21001, send: async () => ({ latencyMs: 0, open: 0, accepted: 0, dropped: 0 }) },
      };
    },
  };
  return { starter, launches, relayUpstreams };
}

function env(): PathEnv {
  const matrix = parseMatrix(MATRIX, '/tmp/m.yaml');
  const roles = new Map(matrix.spec.configs.map((c) => [c.name, `bench_${c.name}`]));
  return {
    spec: matrix.spec,
    postgres: POSTGRES,
    roles,
    verifiers: new Map(),
    matrixDir: '/tmp',
    log: () => undefined,
  };
}

const config = (name: string) => {
  const c = env().spec.configs.find((x) => x.name === name);
  if (!c) throw new Error(name);
  return c;
};

describe('a path with a fault relay', () => {
  it('direct: pgbench connects to the relay, which forwards to PostgreSQL', async () => {
    const { starter, relayUpstreams } = recordingStarter();
    const started: Component[] = [];
    const p = await startConfigPath(config('direct'), env(), starter, (c) => started.push(c));
    expect(p.endpoint).toMatchObject({ host: '127.0.0.1', port: 21000, user: 'bench_direct' });
    expect(p.components.map((c) => c.role)).toEqual(['relay']);
    expect(p.relay?.port).toBe(21001);
    expect(relayUpstreams).toEqual([POSTGRES]);
    expect(started.map((c) => c.role)).toEqual(['relay']);
  });

  it('pgbouncer: its [databases] entry points at the relay; the relay is the last component (PostgreSQL side)', async () => {
    const { starter, launches } = recordingStarter();
    const p = await startConfigPath(config('tx'), env(), starter, () => undefined);
    const ini = launches[0]?.ini({ authFile: '/a', socketDir: '/s' }) ?? '';
    expect(ini).toMatch(/^bench = host=127\.0\.0\.1 port=21000 dbname=bench/m);
    expect(p.components.map((c) => c.role)).toEqual(['pgbouncer', 'relay']);
    expect(p.endpoint.port).toBe(launches[0]?.port);
    expect(p.pgbouncerAdmin?.port).toBe(launches[0]?.port);
    expect(p.relay).toBeDefined();
  });

  it('without fault_relay nothing changes: no relay, PostgreSQL directly', async () => {
    const { starter, relayUpstreams } = recordingStarter();
    const p = await startConfigPath(config('plain'), env(), starter, () => undefined);
    expect(p.endpoint.port).toBe(5432);
    expect(p.components).toEqual([]);
    expect(p.relay).toBeUndefined();
    expect(relayUpstreams).toEqual([]);
  });
});
