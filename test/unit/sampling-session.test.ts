import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pssDue } from '../../src/sampling/proc.js';
import {
  componentKey,
  DEFAULT_PSS_INTERVAL_MS,
  MIN_TICK_MS,
  pssEvery,
  sampleIntervalFor,
  startSampling,
} from '../../src/sampling/session.js';
import type { Sample } from '../../src/sampling/types.js';
import type { Component, Endpoint } from '../../src/stack/types.js';
import { tempDir } from '../helpers/tmp.js';

/** A port nobody listens on: bind, read the port, close. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

function fakeComponent(role: Component['role'], pid: number | undefined, config?: string): Component {
  return {
    role,
    ...(config ? { config } : {}),
    ...(pid !== undefined ? { pid } : {}),
    port: 1,
    alive: () => true,
    logTail: () => '',
    stop: async () => {},
  };
}

describe('startSampling without a reachable server', () => {
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('bench-sampling-unit-');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('records gaps and warnings, samples what it can, never throws, and keeps the password out', async () => {
    const port = await closedPort();
    // A busy child process (its own tree) so CPU has something to show without blocking this loop.
    const busy = spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
    const secret = 's3cr3t-password';
    const ep: Endpoint = {
      host: '127.0.0.1',
      port,
      database: 'postgres',
      user: 'postgres',
      password: secret,
    };
    const cellDir = path.join(dir, 'cell-1');
    const session = await startSampling({
      postgres: ep,
      database: 'bench',
      pgbouncerAdmin: { ...ep, database: 'pgbouncer' },
      components: [
        fakeComponent('postgres', busy.pid),
        fakeComponent('pgbouncer', 2 ** 22 + 7, 'pgb'),
        fakeComponent('proxy', undefined, 'px'),
      ],
      intervalMs: 100,
      clients: 8,
      cellDir,
    });
    // Long enough for 3 ticks at 100 ms even when a loaded machine delays some of them.
    await new Promise((r) => setTimeout(r, 1000));
    const summary = await session.stop();
    busy.kill('SIGKILL');
    expect(await session.stop()).toBe(summary);

    const text = await readFile(path.join(cellDir, 'samples.jsonl'), 'utf8');
    expect(text).not.toContain(secret);
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Sample & { gap?: true; error?: string; component?: string });
    expect(lines.length).toBe(summary.samples);
    // A tick may be skipped when the busy child starves this process (2 cores); that is a gap too.
    const kinds = new Set(
      lines.map((l) => `${l.kind}${l.gap ? ' gap' : ''}`).filter((k) => k !== 'tick gap'),
    );
    expect(kinds).toEqual(new Set(['pg_activity gap', 'pgbouncer gap', 'proc', 'proc gap']));
    expect(lines.find((l) => l.kind === 'pg_activity')?.error).toMatch(/ECONNREFUSED/);
    expect(lines.find((l) => l.kind === 'proc' && l.gap)?.component).toBe('pgbouncer:pgb');
    for (const l of lines) expect(Math.abs(l.t - Date.now())).toBeLessThan(60_000);

    expect(summary.ticks).toBeGreaterThanOrEqual(3);
    expect(summary.postgres).toBeUndefined();
    expect(summary.pgbouncer).toBeUndefined();
    expect(summary.multiplexing).toBeUndefined();
    const self = summary.components.postgres;
    expect(self?.rssPeakBytes).toBeGreaterThan(100_000);
    // A busy loop uses a whole core when it can; under contention still well above 0.1.
    expect(self?.cpuCoresPeak).toBeGreaterThan(0.1);
    expect(summary.components['pgbouncer:pgb']).toBeUndefined();
    expect(summary.warnings.join('\n')).toMatch(/proxy:px has no host pid/);
    expect(summary.warnings.join('\n')).toMatch(/sampling pg_activity: \d+ of \d+ sample\(s\) missing/);
    expect(summary.warnings.join('\n')).toMatch(/pgbouncer:pgb.*is gone/);
    expect(JSON.stringify(summary)).not.toContain(secret);
  });

  it('names components by role and config', () => {
    expect(componentKey({ role: 'postgres' })).toBe('postgres');
    expect(componentKey({ role: 'pgbouncer', config: 'pooled' })).toBe('pgbouncer:pooled');
    expect(componentKey({ role: 'proxy', config: 'p1' })).toBe('proxy:p1');
  });
});

describe('pssEvery', () => {
  it('turns a PSS interval into a tick stride', () => {
    expect(pssEvery(10_000, 1000)).toBe(10);
    expect(pssEvery(10_000, 500)).toBe(20);
    expect(pssEvery(100, 1000)).toBe(1);
    expect(pssEvery(0, 1000)).toBe(0);
    // Rounded down: never less often than asked.
    expect(pssEvery(1900, 1000)).toBe(1);
  });

  it('reads PSS at least every durationMs / 3', () => {
    expect(pssEvery(10_000, 1000, 4000)).toBe(1);
    expect(pssEvery(10_000, 1000, 9000)).toBe(3);
    expect(pssEvery(10_000, 1000, 300_000)).toBe(10);
    expect(pssEvery(0, 1000, 4000)).toBe(0);
  });
});

describe('sampleIntervalFor', () => {
  it('keeps the interval unless the cell is shorter than 4 of them', () => {
    expect(sampleIntervalFor(1000)).toBe(1000);
    expect(sampleIntervalFor(1000, 4000)).toBe(1000);
    expect(sampleIntervalFor(1000, 60_000)).toBe(1000);
    expect(sampleIntervalFor(1000, 3000)).toBe(750);
    expect(sampleIntervalFor(1000, 2000)).toBe(500);
    expect(sampleIntervalFor(1000, 200)).toBe(MIN_TICK_MS);
  });
});

/**
 * The schedule as the session runs it: tick k (1-based) at (k - 1) x interval after sampling
 * started, pgbench measuring from just after the first tick to durationMs later. Only ticks strictly
 * inside (0, durationMs) are certain to be in the summary window: the first one precedes pgbench and
 * the one at durationMs races its end.
 */
function pssReadingsInWindow(intervalMs: number, durationMs: number): number {
  const tickMs = sampleIntervalFor(intervalMs, durationMs);
  const every = pssEvery(DEFAULT_PSS_INTERVAL_MS, tickMs, durationMs);
  let n = 0;
  for (let k = 1; (k - 1) * tickMs < durationMs; k++) {
    const at = (k - 1) * tickMs;
    if (at > 0 && pssDue(k, every)) n++;
  }
  return n;
}

describe('PSS cadence', () => {
  it('puts at least 3 PSS readings inside every cell, short or long', () => {
    for (const interval of [250, 500, 1000, 2000, 5000])
      for (let seconds = 1; seconds <= 120; seconds++)
        expect(
          pssReadingsInWindow(interval, seconds * 1000),
          `${interval} ms, ${seconds} s`,
        ).toBeGreaterThanOrEqual(3);
  });

  it('keeps the 10 s cadence for long cells (the cost of smaps_rollup)', () => {
    expect(pssReadingsInWindow(1000, 300_000)).toBe(30);
    // A 4 s smoke cell at 1 s: PSS on every tick (it was read once before).
    expect(pssReadingsInWindow(1000, 4000)).toBe(3);
  });

  it('startSampling reads PSS at least 3 times in a 1 s cell sampled at 1 s', async () => {
    const dir = tempDir('bench-sampling-pss-');
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const port = await closedPort();
      const ep: Endpoint = { host: '127.0.0.1', port, database: 'postgres', user: 'postgres', password: '' };
      const session = await startSampling({
        postgres: ep,
        database: 'bench',
        components: [fakeComponent('postgres', sleeper.pid)],
        intervalMs: 1000,
        durationMs: 1000,
        clients: 1,
        cellDir: dir,
      });
      const from = Date.now() + 5;
      await new Promise((r) => setTimeout(r, 1100));
      const summary = await session.stop({ fromMs: from, toMs: Date.now() });
      expect(summary.intervalMs).toBe(250);
      expect(summary.components.postgres?.pssSamples).toBeGreaterThanOrEqual(3);
      expect(summary.components.postgres?.pssPeakBytes).toBeGreaterThan(0);
    } finally {
      sleeper.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});
