import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { relayCommand } from '../../src/stack/fault-relay.js';
import { parseRelayArgs } from '../../src/stack/fault-relay-args.js';
import { parseRelayCommand, parseRelayReply, relayReply } from '../../src/stack/fault-relay-commands.js';
import { type Clock, DelayLine, releaseAt } from '../../src/stack/fault-relay-delay.js';
import { type RelayServer, startRelayServer } from '../../src/stack/fault-relay-server.js';
import { pickPort } from '../../src/stack/ports.js';

/** A clock the test moves by hand: timers fire only in advance(). */
function fakeClock(): Clock & { advance(ms: number): void } {
  let now = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let next = 1;
  return {
    now: () => now,
    setTimeout: (fn, ms) => {
      timers.set(next, { at: now + ms, fn });
      return next++;
    },
    clearTimeout: (h) => timers.delete(h as number),
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
      }
      now = end;
    },
  };
}

describe('fault relay commands', () => {
  it('parses latency with and without a duration, clear, drop, status', () => {
    expect(parseRelayCommand('latency 50')).toEqual({ kind: 'latency', ms: 50 });
    expect(parseRelayCommand(' latency 50 3000 \r')).toEqual({ kind: 'latency', ms: 50, forMs: 3000 });
    expect(parseRelayCommand('clear')).toEqual({ kind: 'clear' });
    expect(parseRelayCommand('drop')).toEqual({ kind: 'drop' });
    expect(parseRelayCommand('status')).toEqual({ kind: 'status' });
  });

  it('refuses what it cannot do, saying what was expected', () => {
    expect(parseRelayCommand('latency')).toEqual({ error: 'usage: latency <ms> [<for-ms>]' });
    expect(parseRelayCommand('latency 5ms')).toEqual({
      error: 'latency: expected whole milliseconds, got 5ms',
    });
    expect(parseRelayCommand('latency -1')).toHaveProperty('error');
    expect(parseRelayCommand('latency 600001')).toEqual({ error: 'latency: at most 600000 ms, got 600001' });
    expect(parseRelayCommand('latency 5 x')).toEqual({ error: 'for: expected whole milliseconds, got x' });
    expect(parseRelayCommand('drop now')).toEqual({ error: 'drop takes no argument, got "now"' });
    expect(parseRelayCommand('reboot')).toEqual({
      error: 'unknown command "reboot" (expected latency, clear, drop or status)',
    });
  });

  it('round-trips the counters through a reply line, and reads an error reply as an error', () => {
    const c = { latencyMs: 50, open: 3, accepted: 7, dropped: 4 };
    expect(relayReply(c)).toBe('ok latency=50 open=3 accepted=7 dropped=4');
    expect(parseRelayReply(`${relayReply(c)}\n`)).toEqual(c);
    expect(parseRelayReply('error: unknown command "x"')).toEqual({ error: 'unknown command "x"' });
    expect(parseRelayReply('HTTP/1.1 400')).toEqual({
      error: 'unexpected reply from the relay: HTTP/1.1 400',
    });
  });
});

describe('fault relay arguments', () => {
  it('takes three loopback addresses', () => {
    expect(
      parseRelayArgs([
        '--listen',
        '127.0.0.1:2001',
        '--upstream',
        'localhost:5432',
        '--control',
        '127.0.0.1:2002',
      ]),
    ).toEqual({
      listen: { host: '127.0.0.1', port: 2001 },
      upstream: { host: 'localhost', port: 5432 },
      control: { host: '127.0.0.1', port: 2002 },
    });
  });

  it('refuses anything but loopback, and names every problem', () => {
    const r = parseRelayArgs(['--listen', '0.0.0.0:2001', '--upstream', '10.0.0.5:5432', '--verbose', 'x']);
    expect(r).toEqual({
      errors: [
        'unknown argument --verbose',
        '--listen: loopback only (127.0.0.1), got 0.0.0.0',
        '--upstream: loopback only (127.0.0.1, localhost or ::1), got 10.0.0.5',
        '--control: expected HOST:PORT, got nothing',
      ],
    });
  });
});

describe('fault relay delay line', () => {
  it('adds the latency to each chunk and keeps their order when the latency drops meanwhile', () => {
    const clock = fakeClock();
    const out: string[] = [];
    const line = new DelayLine((b) => out.push(`${b.toString()}@${clock.now()}`), clock);
    line.push(Buffer.from('a'), 50);
    clock.advance(10);
    line.push(Buffer.from('b'), 0); // cleared latency: still behind 'a'
    expect(out).toEqual([]);
    expect(line.bytes).toBe(2);
    clock.advance(40);
    expect(out).toEqual(['a@50', 'b@50']);
    line.push(Buffer.from('c'), 0); // nothing waits and no latency: at once
    expect(out).toEqual(['a@50', 'b@50', 'c@50']);
    expect(line.empty).toBe(true);
  });

  it('releases at arrival + latency, never before the previous chunk', () => {
    expect(releaseAt(100, 50, 0)).toBe(150);
    expect(releaseAt(100, 0, 149)).toBe(149);
    expect(releaseAt(100, 20, 149)).toBe(149);
  });

  it('tells when it is empty, and discards what waits', () => {
    const clock = fakeClock();
    const out: string[] = [];
    let empties = 0;
    const line = new DelayLine(
      (b) => out.push(b.toString()),
      clock,
      () => empties++,
    );
    line.push(Buffer.from('x'), 5);
    clock.advance(5);
    expect(empties).toBe(1);
    line.push(Buffer.from('y'), 5);
    line.discard();
    clock.advance(10);
    expect(out).toEqual(['x']);
    expect(line.bytes).toBe(0);
  });
});

/** An upstream that answers each chunk with "echo:<chunk>". */
async function echoServer(port: number): Promise<net.Server> {
  const srv = net.createServer((s) => {
    s.on('data', (d) => s.write(`echo:${d.toString()}`));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => srv.listen({ host: '127.0.0.1', port }, () => r()));
  return srv;
}

function roundTrip(port: number, text: string): Promise<{ reply: string; ms: number; sock: net.Socket }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const sock = net.connect({ host: '127.0.0.1', port }, () => sock.write(text));
    sock.once('data', (d) => resolve({ reply: d.toString(), ms: performance.now() - t0, sock }));
    sock.once('error', reject);
  });
}

describe('fault relay on real loopback sockets (in process)', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  it('relays, adds latency both ways, clears, drops every connection, and counts', async () => {
    const [up, listen, control] = [await pickPort(), await pickPort(), await pickPort()];
    const upstream = await echoServer(up);
    cleanup.push(() => new Promise<void>((r) => upstream.close(() => r())));
    const at = (port: number) => ({ host: '127.0.0.1', port });
    const relay: RelayServer = await startRelayServer(
      { listen: at(listen), upstream: at(up), control: at(control) },
      () => undefined,
    );
    cleanup.push(() => relay.close());

    const plain = await roundTrip(listen, 'hi');
    expect(plain.reply).toBe('echo:hi');
    cleanup.push(() => void plain.sock.destroy());

    expect(await relayCommand(control, 'latency 40')).toMatchObject({ latencyMs: 40, open: 1, accepted: 1 });
    const slow = await roundTrip(listen, 'slow');
    cleanup.push(() => void slow.sock.destroy());
    expect(slow.reply).toBe('echo:slow');
    // 40 ms to the upstream and 40 ms back; timers may fire a little late, never early.
    expect(slow.ms).toBeGreaterThanOrEqual(79);

    await relayCommand(control, 'clear');
    const fast = await roundTrip(listen, 'fast');
    cleanup.push(() => void fast.sock.destroy());
    expect(fast.ms).toBeLessThan(40);

    const closed = [plain, slow, fast].map((c) => new Promise<void>((r) => c.sock.once('close', () => r())));
    expect(await relayCommand(control, 'drop')).toMatchObject({ dropped: 3 });
    await Promise.all(closed);
    expect(relay.counters()).toEqual({ latencyMs: 0, open: 0, accepted: 3, dropped: 3 });
    await expect(relayCommand(control, 'latency nope')).rejects.toThrow(
      'fault relay: latency: expected whole milliseconds, got nope',
    );
  });

  it('clears a latency given a duration by itself', async () => {
    const [up, listen, control] = [await pickPort(), await pickPort(), await pickPort()];
    const at = (port: number) => ({ host: '127.0.0.1', port });
    const relay = await startRelayServer(
      { listen: at(listen), upstream: at(up), control: at(control) },
      () => undefined,
    );
    cleanup.push(() => relay.close());
    expect(await relayCommand(control, 'latency 30 100')).toMatchObject({ latencyMs: 30 });
    await new Promise((r) => setTimeout(r, 150));
    expect(relay.counters().latencyMs).toBe(0);
  });
});
