import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { clientFigures, STARVED_FRACTION } from '../../src/pgbench/clients.js';
import { aggregateTxLog, TxLogParser } from '../../src/pgbench/txlog.js';

/**
 * Recorded by scripts/record-client-fixtures.sh: a real PgBouncer session pool of 2 behind 6
 * clients with think time (the whole logs), once as one pgbench and once as a split cell of two
 * pgbench processes of 3 clients each.
 */
const FIXTURES = fileURLToPath(new URL('../fixtures/pgbench15/', import.meta.url));
const SESSION = join(FIXTURES, 'session-starved', 'log.txt');
const SPLIT = [0, 1].map((i) => join(FIXTURES, 'split-starved', `log_p${i}.txt`));

/** The obvious way: split every line, count completed transactions per "process:client". */
function reference(files: readonly { path: string; process: number }[]) {
  const perClient = new Map<string, number>();
  const perSecond = new Map<number, Set<string>>();
  for (const f of files) {
    for (const line of readFileSync(f.path, 'utf8').split('\n')) {
      const [client, , time, , epoch] = line.split(' ');
      if (!/^\d+$/.test(time ?? '')) continue;
      const key = `${f.process}:${client}`;
      perClient.set(key, (perClient.get(key) ?? 0) + 1);
      const t = Number(epoch);
      perSecond.set(t, (perSecond.get(t) ?? new Set()).add(key));
    }
  }
  return { perClient, perSecond };
}

const jain = (xs: number[]) =>
  xs.reduce((a, b) => a + b, 0) ** 2 / (xs.length * xs.reduce((a, b) => a + b * b, 0));

describe('per-client figures on a recorded session pool of 2 behind 6 clients', () => {
  it('finds the 2 clients that held the pool and the 4 that starved', async () => {
    const agg = await aggregateTxLog([SESSION], { clientsPerProcess: [6] });
    const f = clientFigures(agg.clients);
    const ref = reference([{ path: SESSION, process: 0 }]);
    const counts = [...ref.perClient.values()].sort((a, b) => a - b);
    expect(counts).toHaveLength(6);
    expect(agg.clients[0]?.slice().sort((a, b) => a - b)).toEqual(counts);
    expect(f).toMatchObject({ clients: 6, served: 6, starved: 4, processes: 1 });
    // The 4 clients that waited for a server connection completed one transaction each, at the end.
    expect(counts.slice(0, 4)).toEqual([1, 1, 1, 1]);
    expect(f.min).toBe(1);
    expect(f.max).toBe(counts[5]);
    // Nearest rank over 6 clients: p10 is the 1st, the median the 3rd.
    expect(f.p10).toBe(1);
    expect(f.median).toBe(1);
    expect(f.mean).toBeCloseTo(agg.histogram.count / 6, 12);
    const total = counts.reduce((a, b) => a + b, 0);
    expect(f.typical).toBeCloseTo(counts.reduce((a, b) => a + b * b, 0) / total, 9);
    expect(f.typical).toBeCloseTo(f.mean / (f.jain as number), 9);
    expect(f.starvedBelow).toBeCloseTo(STARVED_FRACTION * f.typical, 12);
    expect(f.jain).toBeCloseTo(jain(counts), 12);
    expect(f.jain).toBeLessThan(0.4); // 2 of 6 clients did nearly everything: ~2/6
  });

  it('counts the clients active in each second exactly', async () => {
    const agg = await aggregateTxLog([SESSION], { clientsPerProcess: [6] });
    const ref = reference([{ path: SESSION, process: 0 }]);
    expect(agg.seconds.map((s) => [s.t, s.clients])).toEqual(
      [...ref.perSecond.entries()].sort((a, b) => a[0] - b[0]).map(([t, set]) => [t, set.size]),
    );
    // While the cell ran, only the 2 clients holding the pool completed anything.
    expect(Math.max(...agg.seconds.slice(0, -1).map((s) => s.clients))).toBe(2);
  });

  it('gives the same figures whatever the read size (lines split across chunks)', async () => {
    const whole = await aggregateTxLog([SESSION], { clientsPerProcess: [6] });
    for (const highWaterMark of [1, 7, 100]) {
      const r = await aggregateTxLog([SESSION], { clientsPerProcess: [6], highWaterMark });
      expect(r.clients).toEqual(whole.clients);
      expect(r.seconds).toEqual(whole.seconds);
    }
  });
});

describe('per-client figures of a split cell (two pgbench processes)', () => {
  const files = SPLIT.map((path, process) => ({ path, process }));

  it('keys clients by process and client_id: 6 clients, not the 3 ids both processes use', async () => {
    const agg = await aggregateTxLog(files, { clientsPerProcess: [3, 3] });
    const f = clientFigures(agg.clients);
    const ref = reference(files);
    expect(ref.perClient.size).toBe(6);
    expect(agg.clients.map((p) => p.length)).toEqual([3, 3]);
    const counts = [...ref.perClient.values()].sort((a, b) => a - b);
    expect(agg.clients.flat().sort((a, b) => a - b)).toEqual(counts);
    expect(f).toMatchObject({ clients: 6, served: 6, starved: 4, processes: 2 });
    expect(f.jain).toBeCloseTo(jain(counts), 12);
    // Keyed by client_id alone, the two processes' clients would merge into 3 and look fairer.
    const byId = [0, 1, 2].map((id) => (agg.clients[0]?.[id] ?? 0) + (agg.clients[1]?.[id] ?? 0));
    expect(clientFigures([byId]).clients).toBe(3);
  });

  it('counts active clients per second over both processes', async () => {
    const agg = await aggregateTxLog(files, { clientsPerProcess: [3, 3] });
    const ref = reference(files);
    expect(agg.seconds.map((s) => [s.t, s.clients])).toEqual(
      [...ref.perSecond.entries()].sort((a, b) => a[0] - b[0]).map(([t, set]) => [t, set.size]),
    );
  });
});

describe('clientFigures', () => {
  it("Jain's index: 1 when all equal, 1/n when one client did everything", () => {
    expect(clientFigures([[5, 5, 5, 5]]).jain).toBe(1);
    expect(clientFigures([[0, 0, 0, 12]]).jain).toBe(0.25);
    expect(clientFigures([[3, 1], [2]]).jain).toBeCloseTo(36 / (3 * 14), 12);
  });

  it('counts clients that completed nothing as served 0 and starved, zeros in every figure', () => {
    const f = clientFigures([[0, 10, 10, 10, 10, 10, 10, 10, 10, 10]]);
    expect(f).toMatchObject({ clients: 10, served: 9, starved: 1, min: 0, p10: 0, median: 10, max: 10 });
    expect(f.jain).toBeCloseTo(0.9, 12);
  });

  it('starved: fewer than 10 % of the typical client (Σx²/Σx), not of the median or the mean', () => {
    // 8 of 10 clients did 1 transaction, 2 did 500: the median is 1, so a median rule would find none.
    const f = clientFigures([[500, 500, 1, 1, 1, 1, 1, 1, 1, 1]]);
    expect(f.median).toBe(1);
    expect(f.typical).toBeCloseTo((2 * 500 ** 2 + 8) / 1008, 12);
    expect(f.starved).toBe(8);
    // 20 of 1,000 clients did 100 each, the rest 1: the mean is 2.98, 10 % of it is below 1.
    const many = clientFigures([[...Array(20).fill(100), ...Array(980).fill(1)]]);
    expect(many.mean).toBeCloseTo(2.98, 12);
    expect(many.starved).toBe(980);
    // A fair cell: nobody starves, however the counts scatter.
    expect(clientFigures([[90, 100, 110, 95, 105]]).starved).toBe(0);
  });

  it('no transaction at all: every client starved, no fairness index (0/0)', () => {
    const f = clientFigures([[0, 0, 0]]);
    expect(f).toMatchObject({ clients: 3, served: 0, starved: 3, mean: 0, typical: 0 });
    expect(f.jain).toBeUndefined();
    expect(clientFigures([])).toMatchObject({ clients: 0, served: 0, starved: 0 });
  });
});

describe('TxLogParser client tally', () => {
  it('planned clients never named in the log count as 0; ids beyond the plan are kept', () => {
    const p = new TxLogParser();
    p.push(Buffer.from('1 1 100 0 10 5\n1 2 100 0 10 6\n'));
    p.end();
    p.beginFile(1);
    p.push(Buffer.from('4 1 100 0 11 5\n0 1 failed 0 11 6\n'));
    p.end();
    // Process 1 planned 2 clients but named client 4: 5 slots; client 0 only failed.
    expect(p.result([3, 2]).clients).toEqual([
      [0, 2, 0],
      [0, 0, 0, 0, 1],
    ]);
    expect(p.result([3, 2]).seconds.map((s) => s.clients)).toEqual([1, 1]);
  });

  it('a client_id no pgbench writes is a malformed line, not a huge allocation', () => {
    const p = new TxLogParser();
    p.push(Buffer.from('99999999999 1 100 0 10 5\n'));
    p.end();
    const r = p.result();
    expect(r.malformed).toBe(1);
    expect(r.clients).toEqual([]);
  });

  it('10,000 clients over 4 processes: exact figures, one number per client', () => {
    const p = new TxLogParser();
    for (let proc = 0; proc < 4; proc++) {
      p.beginFile(proc);
      const lines: string[] = [];
      for (let c = 0; c < 2500; c++) {
        // 5 clients per process hold the pool (1,000 transactions each), the rest complete one.
        const n = c < 5 ? 1000 : 1;
        // A client's lines in time order, as pgbench writes them (100 per second for the 5).
        for (let k = 0; k < n; k++) lines.push(`${c} ${k + 1} 500 0 ${100 + Math.floor(k / 100)} 0`);
      }
      p.push(Buffer.from(`${lines.join('\n')}\n`));
      p.end();
    }
    const r = p.result([2500, 2500, 2500, 2500]);
    const f = clientFigures(r.clients);
    expect(f).toMatchObject({ clients: 10_000, served: 10_000, starved: 9980, min: 1, median: 1, max: 1000 });
    const total = 20 * 1000 + 9980;
    expect(f.jain).toBeCloseTo(total ** 2 / (10_000 * (20 * 1000 ** 2 + 9980)), 12);
    expect(r.seconds[0]?.clients).toBe(10_000); // every client completed one in the first second
    expect(r.seconds[1]?.clients).toBe(20);
  });
});
