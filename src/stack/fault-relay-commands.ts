/**
 * The fault relay's control language (src/stack/fault-relay-server.ts), one command per line on its
 * loopback control port, one reply line each. Pure: parsing and replies, no sockets.
 *
 *   latency <ms> [<for-ms>]   add <ms> to every forwarded chunk, both directions; with <for-ms>,
 *                             the relay clears it by itself after that long (a harness that moved on
 *                             cannot leave latency behind)
 *   clear                     latency back to 0
 *   drop                      close every relayed connection now (both sides)
 *   status                    the current latency and the connection counters
 */

export type RelayCommand =
  | { kind: 'latency'; ms: number; forMs?: number }
  | { kind: 'clear' }
  | { kind: 'drop' }
  | { kind: 'status' };

/** Ten minutes, for a latency and for how long it lasts: longer is an outage, not a latency. */
export const MAX_RELAY_LATENCY_MS = 600_000;

function millis(word: string | undefined, what: string): number | string {
  if (word === undefined || !/^\d+$/.test(word))
    return `${what}: expected whole milliseconds, got ${word ?? 'nothing'}`;
  const ms = Number(word);
  if (ms > MAX_RELAY_LATENCY_MS) return `${what}: at most ${MAX_RELAY_LATENCY_MS} ms, got ${ms}`;
  return ms;
}

/** One control line as a command, or the reason it is not one. */
export function parseRelayCommand(line: string): RelayCommand | { error: string } {
  const [verb, ...args] = line.trim().split(/\s+/);
  const none = (c: RelayCommand): RelayCommand | { error: string } =>
    args.length === 0 ? c : { error: `${verb} takes no argument, got "${args.join(' ')}"` };
  switch (verb) {
    case 'latency': {
      if (args.length < 1 || args.length > 2) return { error: 'usage: latency <ms> [<for-ms>]' };
      const ms = millis(args[0], 'latency');
      if (typeof ms === 'string') return { error: ms };
      if (args[1] === undefined) return { kind: 'latency', ms };
      const forMs = millis(args[1], 'for');
      if (typeof forMs === 'string') return { error: forMs };
      return { kind: 'latency', ms, forMs };
    }
    case 'clear':
      return none({ kind: 'clear' });
    case 'drop':
      return none({ kind: 'drop' });
    case 'status':
      return none({ kind: 'status' });
    default:
      return { error: `unknown command "${verb ?? ''}" (expected latency, clear, drop or status)` };
  }
}

/** What the relay counts, reported by every reply. */
export interface RelayCounters {
  latencyMs: number;
  /** Relayed connections open now. */
  open: number;
  /** Client connections accepted since the relay started. */
  accepted: number;
  /** Connections the relay closed on `drop`. */
  dropped: number;
}

/** `ok latency=50 open=3 accepted=7 dropped=4`: a reply the harness parses back (parseRelayReply). */
export function relayReply(c: RelayCounters): string {
  return `ok latency=${c.latencyMs} open=${c.open} accepted=${c.accepted} dropped=${c.dropped}`;
}

/** A reply line as counters, or the relay's error text (a reply that is neither is an error too). */
export function parseRelayReply(line: string): RelayCounters | { error: string } {
  const m = /^ok latency=(\d+) open=(\d+) accepted=(\d+) dropped=(\d+)$/.exec(line.trim());
  if (m) {
    return { latencyMs: Number(m[1]), open: Number(m[2]), accepted: Number(m[3]), dropped: Number(m[4]) };
  }
  const err = /^error: (.*)$/.exec(line.trim());
  return { error: err ? (err[1] ?? '') : `unexpected reply from the relay: ${line.slice(0, 200)}` };
}
