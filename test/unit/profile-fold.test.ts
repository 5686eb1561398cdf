import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  collapseUnknown,
  foldedText,
  foldPerfScript,
  frameName,
  mergeFolded,
  parseFolded,
  totalSamples,
} from '../../src/profile/fold.js';

// 120 samples of `perf record -e cpu-clock -g -p <pgbouncer>` (perf 6.1, PgBouncer 1.18 on Debian 12,
// pgbench -S -c 4 through it), as `perf script` printed them.
const FIXTURE = readFileSync(
  path.resolve(import.meta.dirname, '../fixtures/perf/pgbouncer-1.18-readonly.perf-script.txt'),
  'utf8',
);

describe('folding perf script output', () => {
  const folded = foldPerfScript(FIXTURE);

  it('counts one sample per header and loses none in the fold', () => {
    const headers = FIXTURE.split('\n').filter((l) => /cpu-clock:\s*$/.test(l)).length;
    expect(headers).toBe(120);
    expect(folded.samples).toBe(120);
    expect(totalSamples(folded.stacks)).toBe(120);
    expect(folded.skipped).toBe(0);
  });

  it('puts the process name first and the outermost frame next, the sampled frame last', () => {
    // The fixture's first sample: sk_free (innermost) ... __send in libc (outermost).
    const first = [...folded.stacks.keys()].find((k) => k.endsWith(';sk_free_[k]'));
    expect(first).toBeDefined();
    const frames = first?.split(';') ?? [];
    expect(frames[0]).toBe('pgbouncer');
    expect(frames[1]).toBe('__send');
    expect(frames.indexOf('entry_SYSCALL_64_after_hwframe_[k]')).toBe(2);
    expect(frames.at(-2)).toBe('loopback_xmit_[k]');
  });

  it('strips offsets, marks kernel frames and names unknown symbols by their module', () => {
    expect(frameName('sk_free+0x19', '[kernel.kallsyms]')).toBe('sk_free_[k]');
    expect(frameName('epoll_wait+0x56', '/usr/lib/x86_64-linux-gnu/libc.so.6')).toBe('epoll_wait');
    expect(frameName('[unknown]', '/usr/lib/x86_64-linux-gnu/libevent-2.1.so.7.0.1')).toBe(
      '[libevent-2.1.so.7.0.1]',
    );
    expect(frameName('[unknown]', '[unknown]')).toBe('[unknown]');
    // A C++ symbol with spaces and a `;` cannot break the folded format.
    expect(frameName('ns::f(int, char const*)+0x10', '/opt/p')).toBe('ns::f(int,_char_const*)');
    expect(frameName('a;b', '/opt/p')).toBe('a:b');
    const keys = [...folded.stacks.keys()].join('\n');
    expect(keys).toContain('[libevent-2.1.so.7.0.1]');
    expect(keys).not.toMatch(/\+0x[0-9a-f]+/);
  });

  it('collapses runs of [unknown] frames (garbage frame-pointer chains) into one', () => {
    expect(collapseUnknown(['a', '[unknown]', '[unknown]', '[unknown]', 'b', '[unknown]'])).toEqual([
      'a',
      '[unknown]',
      'b',
      '[unknown]',
    ]);
    // 5 real samples whose frame-pointer chain ran through garbage: dozens of [unknown] frames each.
    const towers = readFileSync(
      path.resolve(import.meta.dirname, '../fixtures/perf/pgbouncer-1.18-unknown-chains.perf-script.txt'),
      'utf8',
    );
    const frames = towers.split('\n').filter((l) => l.includes('[unknown] ([unknown])')).length;
    expect(frames).toBeGreaterThan(50);
    const f = foldPerfScript(towers);
    expect(f.samples).toBe(5);
    for (const k of f.stacks.keys()) expect(k).not.toContain('[unknown];[unknown]');
    expect([...f.stacks.keys()].every((k) => k.split(';').length < 40)).toBe(true);
  });

  it('round-trips through the folded text and merges reps by summing counts', () => {
    const text = foldedText(folded.stacks);
    const back = parseFolded(text);
    expect(back.malformed).toBe(0);
    expect(back.stacks).toEqual(folded.stacks);
    const twice = mergeFolded([back.stacks, folded.stacks]);
    expect(totalSamples(twice)).toBe(240);
    const [k, n] = [...folded.stacks][0] ?? ['', 0];
    expect(twice.get(k)).toBe(2 * n);
  });

  it('reads a sample whose command name has a space and a tid, and counts junk lines', () => {
    const text = [
      'my proxy 123/124 [001] 10.000001:     250000 cpu-clock: ',
      '\t    7f0000000001 inner+0x1 (/usr/bin/myproxy)',
      '\t    7f0000000002 outer+0x2 (/usr/bin/myproxy)',
      '',
      'not a frame',
    ].join('\n');
    const f = foldPerfScript(text);
    expect(f.samples).toBe(1);
    expect([...f.stacks]).toEqual([['my_proxy;outer;inner', 1]]);
    expect(f.skipped).toBe(1);
    expect(parseFolded('a;b 3\njunk\n').malformed).toBe(1);
  });
});
