import net from 'node:net';
import type { HostPort } from './fault-relay-args.js';
import {
  parseRelayCommand,
  type RelayCommand,
  type RelayCounters,
  relayReply,
} from './fault-relay-commands.js';
import { DelayLine } from './fault-relay-delay.js';

/**
 * The fault relay itself: a TCP relay on loopback between a pooler (or pgbench) and PostgreSQL that
 * adds latency to every chunk, both directions, or closes every relayed connection, on command from
 * its control port (src/stack/fault-relay-commands.ts). It runs as its own process
 * (src/stack/fault-relay-main.ts) so its CPU is sampled as a component and is not the harness's.
 */

/** Above this many bytes waiting in one direction the relay stops reading that side until they drain. */
const PAUSE_BYTES = 4 * 1024 * 1024;

export interface RelayServer {
  counters(): RelayCounters;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  server: net.Socket;
  lines: DelayLine[];
}

interface State {
  latencyMs: number;
  accepted: number;
  dropped: number;
  pairs: Set<Pair>;
  clearTimer?: NodeJS.Timeout;
}

/** Bytes from `from` to `to` through a delay line; `from` pauses while `to` or the line is full. */
function forward(from: net.Socket, to: net.Socket, state: State): DelayLine {
  let ended = false;
  const resume = () => {
    if (!to.writableNeedDrain && line.bytes < PAUSE_BYTES) from.resume();
  };
  const line = new DelayLine(
    (chunk) => {
      if (!to.destroyed && !to.write(chunk)) from.pause();
    },
    undefined,
    () => {
      if (ended) to.end();
      resume();
    },
  );
  to.on('drain', resume);
  from.on('data', (chunk: Buffer) => {
    line.push(chunk, state.latencyMs);
    if (line.bytes >= PAUSE_BYTES) from.pause();
  });
  from.on('end', () => {
    ended = true;
    if (line.empty) to.end();
  });
  return line;
}

function relayConnection(
  client: net.Socket,
  upstream: HostPort,
  state: State,
  log: (m: string) => void,
): void {
  state.accepted++;
  const server = net.connect({ host: upstream.host, port: upstream.port });
  client.setNoDelay(true);
  server.setNoDelay(true);
  const pair: Pair = { client, server, lines: [] };
  pair.lines = [forward(client, server, state), forward(server, client, state)];
  state.pairs.add(pair);
  let closed = false;
  const close = (why?: Error) => {
    if (closed) return;
    closed = true;
    if (why) log(`connection ${client.remotePort}: ${why.message}`);
    for (const l of pair.lines) l.discard();
    client.destroy();
    server.destroy();
    state.pairs.delete(pair);
  };
  for (const s of [client, server]) {
    s.on('error', close);
    s.on('close', () => close());
  }
}

function counters(state: State): RelayCounters {
  return {
    latencyMs: state.latencyMs,
    open: state.pairs.size,
    accepted: state.accepted,
    dropped: state.dropped,
  };
}

function apply(cmd: RelayCommand, state: State): void {
  if (cmd.kind === 'status') return;
  if (cmd.kind === 'drop') {
    for (const p of [...state.pairs]) {
      state.dropped++;
      p.client.destroy();
      p.server.destroy();
    }
    return;
  }
  clearTimeout(state.clearTimer);
  state.clearTimer = undefined;
  state.latencyMs = cmd.kind === 'latency' ? cmd.ms : 0;
  if (cmd.kind === 'latency' && cmd.forMs !== undefined) {
    state.clearTimer = setTimeout(() => {
      state.latencyMs = 0;
      state.clearTimer = undefined;
    }, cmd.forMs);
  }
}

function controlConnection(sock: net.Socket, state: State, log: (m: string) => void): void {
  let buf = '';
  sock.setEncoding('utf8');
  sock.on('error', () => sock.destroy());
  sock.on('data', (text: string) => {
    buf += text;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim() === '') continue;
      const cmd = parseRelayCommand(line);
      if ('error' in cmd) {
        sock.write(`error: ${cmd.error}\n`);
        continue;
      }
      apply(cmd, state);
      if (cmd.kind !== 'status') log(`control: ${line.trim()}`);
      sock.write(`${relayReply(counters(state))}\n`);
    }
  });
}

function listen(server: net.Server, at: HostPort): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: at.host, port: at.port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Listens on `listen` (relayed) and `control` (commands); resolves once both accept connections. */
export async function startRelayServer(
  addrs: { listen: HostPort; upstream: HostPort; control: HostPort },
  log: (m: string) => void,
): Promise<RelayServer> {
  const state: State = { latencyMs: 0, accepted: 0, dropped: 0, pairs: new Set() };
  const relay = net.createServer((c) => relayConnection(c, addrs.upstream, state, log));
  const talkers = new Set<net.Socket>();
  const control = net.createServer((c) => {
    talkers.add(c);
    c.on('close', () => talkers.delete(c));
    controlConnection(c, state, log);
  });
  await listen(relay, addrs.listen);
  try {
    await listen(control, addrs.control);
  } catch (e) {
    relay.close();
    throw e;
  }
  return {
    counters: () => counters(state),
    close: async () => {
      clearTimeout(state.clearTimer);
      for (const p of state.pairs) {
        p.client.destroy();
        p.server.destroy();
      }
      for (const t of talkers) t.destroy();
      await Promise.all([relay, control].map((s) => new Promise((r) => s.close(() => r(undefined)))));
    },
  };
}
