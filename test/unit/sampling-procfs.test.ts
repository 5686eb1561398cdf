import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseChildren, parseSmapsRollup, parseStat } from '../../src/sampling/procfs.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/proc/${name}`, import.meta.url), 'utf8');

describe('parseStat', () => {
  it('reads a PostgreSQL 15 postmaster recorded on Linux 6.18', () => {
    expect(parseStat(fixture('postmaster/stat'))).toEqual({
      pid: 30283,
      comm: 'postgres',
      state: 'S',
      ppid: 29830,
      utime: 0,
      stime: 2,
      cutime: 8,
      cstime: 31,
      numThreads: 1,
      starttime: 100549,
      rssPages: 7297,
    });
  });

  it('takes comm up to the last parenthesis, spaces and parentheses included', () => {
    const s = parseStat(fixture('stat-odd-comm'));
    expect(s?.comm).toBe('a) b (c)');
    expect(s).toMatchObject({ pid: 4242, state: 'R', ppid: 1, utime: 7, stime: 3, cutime: 5, cstime: 2 });
    expect(s).toMatchObject({ numThreads: 1, starttime: 79653, rssPages: 411 });
  });

  it('refuses truncated or foreign text', () => {
    expect(parseStat('')).toBeUndefined();
    expect(parseStat('12 (x) S 1 2 3')).toBeUndefined();
    expect(parseStat('not a stat line')).toBeUndefined();
  });
});

describe('parseSmapsRollup', () => {
  it('reads Rss and Pss, not Pss_Anon/Pss_File', () => {
    expect(parseSmapsRollup(fixture('postmaster/smaps_rollup'))).toEqual({
      rssBytes: 29332 * 1024,
      pssBytes: 12880 * 1024,
    });
  });

  it('is undefined without a Pss line', () => {
    expect(parseSmapsRollup('Rss: 10 kB\nPss_Anon: 3 kB\n')).toBeUndefined();
  });
});

describe('parseChildren', () => {
  it('lists pids', () => {
    expect(parseChildren(fixture('postmaster/children'))).toEqual([
      30284, 30285, 30287, 30288, 30289, 30517, 30518, 30519, 30520,
    ]);
    expect(parseChildren('')).toEqual([]);
    expect(parseChildren('\n')).toEqual([]);
  });
});
