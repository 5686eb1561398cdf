import { describe, expect, it } from 'vitest';
import type { Cell } from '../../src/matrix/expand.js';
import { fitLine, progressReporter } from '../../src/ui/progress.js';

/** A fake TTY stream that records what is written. */
function tty(columns: number | undefined) {
  const chunks: string[] = [];
  const stream = {
    isTTY: true,
    columns,
    write: (s: string) => {
      chunks.push(s);
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, chunks };
}

const cell = {
  id: 'x',
  index: 0,
  config: 'a-config-with-a-rather-long-name',
  workload: 'readonly-short-with-think-time',
  concurrency: 1000,
  rep: 3,
} as unknown as Cell;

/** The visible text of the last status line drawn (after the last carriage return and clear). */
const lastStatus = (chunks: string[]) =>
  (chunks.join('').split('\r\x1b[2K').at(-1) ?? '').replace(/\n.*$/s, '');

describe('fitLine', () => {
  it('leaves a line that fits alone and cuts one that does not, keeping the last column free', () => {
    expect(fitLine('abc', 10)).toBe('abc');
    expect(fitLine('abcdefghi', 10)).toBe('abcdefghi');
    expect(fitLine('abcdefghij', 10)).toBe('abcdefgh…');
    expect([...fitLine('x'.repeat(500), 40)]).toHaveLength(39);
  });

  it('assumes 80 columns when the stream does not say, and never cuts inside a character', () => {
    expect([...fitLine('y'.repeat(200), undefined)]).toHaveLength(79);
    expect(fitLine('ab😀😀😀', 5)).toBe('ab😀…');
  });
});

describe('progressReporter on a narrow terminal', () => {
  it('never draws a status line wider than the terminal', () => {
    for (const columns of [20, 40, 60, 200]) {
      const { stream, chunks } = tty(columns);
      const r = progressReporter(stream);
      r.cellStart?.(cell, 12, 480, 3_600_000, 60);
      expect([...lastStatus(chunks)].length).toBeLessThan(columns);
      r.cellProgress?.(cell, 123_456.7, 42);
      const line = lastStatus(chunks);
      expect([...line].length).toBeLessThan(columns);
      if (columns === 200) expect(line).toContain('123,457 tps');
    }
  });

  it('follows a resize: the next draw uses the new width', () => {
    const t = tty(200);
    const r = progressReporter(t.stream);
    r.cellStart?.(cell, 1, 2, undefined, 10);
    (t.stream as { columns: number }).columns = 30;
    r.cellProgress?.(cell, 10, 1);
    expect([...lastStatus(t.chunks)].length).toBeLessThan(30);
  });
});

describe('progressReporter: a cell whose clients did not all get through', () => {
  const plain = () => {
    const lines: string[] = [];
    const stream = { isTTY: false, write: (s: string) => lines.push(s) > 0 } as unknown as NodeJS.WriteStream;
    return { stream, lines };
  };
  const rec = (extra: object) =>
    ({
      state: 'completed',
      summary: { tps: 500, failed: 0 },
      ...extra,
    }) as unknown as Parameters<NonNullable<ReturnType<typeof progressReporter>['cellEnd']>>[1];

  it('says how many clients aborted or starved beside the TPS of the others', () => {
    const { stream, lines } = plain();
    const r = progressReporter(stream);
    r.cellEnd?.(cell, rec({ abortedClients: 3, clients: { clients: 10, starved: 6 } }), 1, 2);
    expect(lines.at(-1)).toContain('500 tps (3 clients aborted, 6 of 10 clients starved)');
    r.cellEnd?.(cell, rec({ clients: { clients: 10, starved: 0 } }), 2, 2);
    expect(lines.at(-1)).toMatch(/500 tps\n$/);
  });
});
