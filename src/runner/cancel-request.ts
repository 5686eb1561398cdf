import net from 'node:net';

/** The CancelRequest code of the PostgreSQL protocol (1234 << 16 | 5678). */
const CANCEL_REQUEST_CODE = 80877102;

/**
 * A CancelRequest message: length 16, the code, the backend key data the server (here the pooler)
 * gave the client at startup. PgBouncer hands out keys of its own, so the pooler decides where the
 * request goes. Pure.
 */
export function cancelRequestPacket(processId: number, secretKey: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeInt32BE(16, 0);
  b.writeInt32BE(CANCEL_REQUEST_CODE, 4);
  b.writeInt32BE(processId, 8);
  b.writeInt32BE(secretKey, 12);
  return b;
}

/** A CancelRequest that failed; `written` says whether the request had been written before. */
export class CancelRequestError extends Error {
  constructor(
    message: string,
    readonly written: boolean,
  ) {
    super(message);
    this.name = 'CancelRequestError';
  }
}

/**
 * Sends a CancelRequest on a new TCP connection to host:port, as libpq's PQcancel does, and waits
 * until the other side closes it (the protocol sends no answer), which says the request was
 * handled. Rejects with a CancelRequestError on a connection error or when nothing closed it
 * within `timeoutMs`; its `written` tells a request never sent from one sent with no known result.
 */
export function sendCancelRequest(
  host: string,
  port: number,
  key: { processId: number; secretKey: number },
  timeoutMs = 2000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let written = false;
    const s = net.connect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(
        new CancelRequestError(
          `the cancel request to ${host}:${port} was not closed within ${timeoutMs} ms`,
          written,
        ),
      );
    }, timeoutMs);
    // Written, not ended: like libpq, the write side stays open until the pooler closes the
    // connection. PgBouncer 1.18 forwards the cancel on a server connection it opens first, and
    // drops it when the requesting client's EOF arrives before that ("client unexpected eof").
    s.once('connect', () => {
      written = true;
      s.write(cancelRequestPacket(key.processId, key.secretKey));
    });
    s.once('end', () => s.destroy());
    s.once('error', (e) => {
      clearTimeout(timer);
      reject(new CancelRequestError(`the cancel request to ${host}:${port}: ${e.message}`, written));
    });
    s.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    s.resume();
  });
}
