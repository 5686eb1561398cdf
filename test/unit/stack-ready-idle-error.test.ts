import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { withClient } from '../../src/stack/ready.js';

/**
 * A server that speaks just enough of the PostgreSQL protocol to let a client connect (trust:
 * AuthenticationOk, then ReadyForQuery), then resets the connection while the client is idle: what
 * a pooler killed between our query and `end()` does.
 */
function resettingServer(): Promise<{ server: net.Server; port: number }> {
  return new Promise((resolve) => {
    const server = net.createServer((sock) => {
      sock.once('data', () => {
        const authOk = Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 0]);
        const ready = Buffer.from([0x5a, 0, 0, 0, 5, 0x49]);
        sock.write(Buffer.concat([authOk, ready]));
        setTimeout(() => sock.resetAndDestroy(), 50);
      });
      sock.on('error', () => undefined);
    });
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({ server, port: typeof addr === 'object' && addr ? addr.port : 0 });
    });
  });
}

describe('withClient', () => {
  let server: net.Server | undefined;
  afterAll(() => server?.close());

  it('survives the server resetting an idle connection (no unhandled error event ends the run)', async () => {
    const s = await resettingServer();
    server = s.server;
    const out = await withClient(
      { host: '127.0.0.1', port: s.port, user: 'u', database: 'd', password: '' },
      () => new Promise<string>((r) => setTimeout(() => r('done'), 300)),
    );
    expect(out).toBe('done');
  });
});
