import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StackError } from '../errors.js';
import { parseRelayReply, type RelayCounters } from './fault-relay-commands.js';
import { pickPort, releasePort } from './ports.js';
import { ManagedProcess } from './process.js';
import type { Component, Endpoint, RelayControl } from './types.js';

/**
 * The stack's side of the fault relay (src/stack/fault-relay-server.ts): a config with
 * `fault_relay: true` gets one, started as a local Node process between its pooler (or pgbench) and
 * PostgreSQL, with both providers. Containers run with host networking, so a pooler container
 * reaches the relay's 127.0.0.1 port exactly as a local process does; no bridge, no published port.
 */

const READY_MS = 10_000;
const REPLY_MS = 5_000;

/** The relay's entry, beside this module once built (dist/src/stack/); from sources there is none. */
function relayEntry(): string {
  const entry = fileURLToPath(new URL('./fault-relay-main.js', import.meta.url));
  if (!existsSync(entry))
    throw new StackError(`the fault relay is not built (${entry} is missing): run npm run build`);
  return entry;
}

/** Sends one control line and resolves with the relay's counters; the relay's error rejects. */
export function relayCommand(port: number, line: string, timeoutMs = REPLY_MS): Promise<RelayCounters> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let buf = '';
    const fail = (e: Error) => {
      sock.destroy();
      reject(e);
    };
    sock.setTimeout(timeoutMs, () =>
      fail(new Error(`fault relay: no reply to "${line}" in ${timeoutMs} ms`)),
    );
    sock.once('error', (e) => fail(new Error(`fault relay control 127.0.0.1:${port}: ${e.message}`)));
    sock.setEncoding('utf8');
    sock.on('data', (text: string) => {
      buf += text;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      sock.destroy();
      const reply = parseRelayReply(buf.slice(0, nl));
      if ('error' in reply) reject(new Error(`fault relay: ${reply.error}`));
      else resolve(reply);
    });
    sock.write(`${line}\n`);
  });
}

async function waitForControl(proc: ManagedProcess, port: number): Promise<void> {
  const deadline = Date.now() + READY_MS;
  let last = 'no attempt';
  while (Date.now() < deadline) {
    if (!proc.alive()) throw new Error('the relay exited before it listened');
    try {
      await relayCommand(port, 'status', 1000);
      return;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no answer on its control port after ${READY_MS} ms (${last})`);
}

export interface FaultRelay {
  component: Component;
  control: RelayControl;
}

/** Starts a config's relay in `dir` (its log), forwarding to `upstream`; throws having stopped it. */
export async function startFaultRelay(config: string, dir: string, upstream: Endpoint): Promise<FaultRelay> {
  const [port, controlPort] = [await pickPort(), await pickPort()];
  const argv = [
    process.execPath,
    relayEntry(),
    ...['--listen', `127.0.0.1:${port}`, '--upstream', `${upstream.host}:${upstream.port}`],
    ...['--control', `127.0.0.1:${controlPort}`],
  ];
  const proc = new ManagedProcess(argv, {
    name: `relay:${config}`,
    cwd: dir,
    logFile: path.join(dir, 'relay.log'),
    stopSignal: 'SIGTERM',
    hardSignal: 'SIGKILL',
  });
  const free = () => [port, controlPort].forEach(releasePort);
  try {
    await waitForControl(proc, controlPort);
  } catch (e) {
    await proc.stop(2000);
    free();
    throw new StackError(
      `fault relay for config "${config}" did not start: ${(e as Error).message}`,
      proc.logTail(15),
    );
  }
  const component: Component = {
    role: 'relay',
    config,
    pid: proc.pid,
    port,
    alive: () => proc.alive(),
    logTail: (n) => proc.logTail(n),
    stop: async () => {
      await proc.stop(3000);
      free();
    },
  };
  return { component, control: { port: controlPort, send: (line) => relayCommand(controlPort, line) } };
}
