import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/errors.js';
import { parseMatrix } from '../../src/matrix/load.js';
import { applyPeeringRule, multiWorkerConfigs } from '../../src/matrix/peering.js';
import { cancelRequestPacket } from '../../src/runner/cancel-request.js';
import { renderPgbouncerIni } from '../../src/stack/render.js';

const text = `
duration: 2s
concurrency: [4]
workloads: [readonly]
configs:
  - { name: one, kind: pgbouncer }
  - { name: many, kind: pgbouncer, workers: [1, 2], cancel_check: true }
  - { name: off, kind: pgbouncer, workers: 2, peering: false }
  - { name: asked, kind: pgbouncer, workers: 2, peering: true }
`;
const spec = parseMatrix(text, 'm.yaml').spec;
const peeringOf = (s: typeof spec, name: string) => {
  const c = s.configs.find((x) => x.name === name);
  return c?.kind === 'pgbouncer' ? c.peering : 'not pgbouncer';
};

describe('peering rule', () => {
  it('is decided for the expanded configs of more than one worker only', () => {
    expect(multiWorkerConfigs(spec)).toEqual(['many-w2', 'off', 'asked']);
  });

  it('peers the workers on PgBouncer 1.19 and later, unless the config says peering: false', () => {
    const out = applyPeeringRule(spec, () => ({ version: '1.24.1', where: 'image local/pgstack:trixie' }));
    expect(peeringOf(out, 'many-w2')).toBe(true);
    expect(peeringOf(out, 'asked')).toBe(true);
    expect(peeringOf(out, 'off')).toBe(false);
    expect(peeringOf(out, 'many-w1')).toBeUndefined();
    expect(peeringOf(out, 'one')).toBeUndefined();
    expect(applyPeeringRule(spec, () => ({ version: '1.19.0', where: 'x' }))).toEqual(out);
  });

  it('leaves 1.18 unpeered, and refuses peering: true there naming the version found and the one needed', () => {
    const without = spec.configs.filter((c) => c.name !== 'asked');
    const out = applyPeeringRule({ ...spec, configs: without }, () => ({
      version: '1.18.0',
      where: 'image b',
    }));
    expect(peeringOf(out, 'many-w2')).toBe(false);
    let e: unknown;
    try {
      applyPeeringRule(spec, () => ({ version: '1.18.0', where: '/usr/sbin/pgbouncer' }));
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(ConfigurationError);
    expect((e as Error).message).toBe(
      'config asked: peering: true needs PgBouncer >= 1.19 (peer_id, [peers]); found PgBouncer 1.18.0 (/usr/sbin/pgbouncer)',
    );
  });

  it('refuses peer_id in settings: the harness owns it', () => {
    expect(() =>
      parseMatrix(
        'duration: 1s\nconcurrency: [1]\nworkloads: [tpcb]\nconfigs: [{ name: p, kind: pgbouncer, settings: { peer_id: 3 } }]\n',
        'm.yaml',
      ),
    ).toThrow(/peer_id/);
  });

  it('renders peer_id and a [peers] entry per worker socket', () => {
    const ini = renderPgbouncerIni({
      hop: { pool_mode: 'transaction', default_pool_size: 5, settings: {} },
      listenPort: 6400,
      upstreamHost: '127.0.0.1',
      upstreamPort: 5400,
      database: 'bench',
      user: 'bench',
      authFile: '/w/userlist.txt',
      authType: 'trust',
      socketDir: '/s/worker-2',
      maxClientConn: 100,
      listenBacklog: 100,
      reusePort: true,
      peers: { id: 2, socketDirs: ['/s/worker-1', '/s/worker-2'] },
    });
    expect(ini).toContain('so_reuseport = 1\npeer_id = 2\n');
    expect(ini.endsWith('[peers]\n1 = host=/s/worker-1 port=6400\n2 = host=/s/worker-2 port=6400\n')).toBe(
      true,
    );
  });
});

describe('cancel check', () => {
  it('builds the 16-byte CancelRequest of the protocol', () => {
    expect(cancelRequestPacket(42, -7).toString('hex')).toBe('0000001004d2162e0000002afffffff9');
  });
});
