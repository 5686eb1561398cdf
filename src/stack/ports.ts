import net from 'node:net';

const taken = new Set<number>();

/**
 * A free TCP port on 127.0.0.1 below the kernel's ephemeral range (32768+ here): client sockets
 * left in TIME_WAIT by `pgbench -C` hold ephemeral ports, and a listener there can then fail with
 * "Address already in use".
 */
export async function pickPort(lo = 20000, hi = 32000): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = lo + Math.floor(Math.random() * (hi - lo));
    if (taken.has(port)) continue;
    if (await isFree(port)) {
      taken.add(port);
      return port;
    }
  }
  throw new Error(`no free port on 127.0.0.1 between ${lo} and ${hi}`);
}

export function isFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

export function releasePort(port: number): void {
  taken.delete(port);
}
