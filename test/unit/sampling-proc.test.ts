import { describe, expect, it } from 'vitest';
import { type ProcFs, ProcSampler, pssDue, treeCpuTicks } from '../../src/sampling/proc.js';
import { parseStat } from '../../src/sampling/procfs.js';

type P = {
  ppid: number;
  u: number;
  s: number;
  cu?: number;
  cs?: number;
  threads?: number;
  start?: number;
  rss: number;
};

/** An in-memory /proc: stat lines from P, children from ppid, smaps_rollup with a Pss of rss/2 pages. */
function fakeProc(
  procs: Record<number, P>,
  opts: { children?: boolean; pssDenied?: boolean; pssDeniedPids?: number[] } = {},
): ProcFs {
  const enoent = (p: string) => Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
  const statLine = (pid: number, p: P) =>
    `${pid} (proc ${pid}) S ${p.ppid} ${pid} ${pid} 0 -1 4194560 0 0 0 0 ${p.u} ${p.s} ${p.cu ?? 0} ${p.cs ?? 0} 20 0 ${p.threads ?? 1} 0 ${p.start ?? 1000} 100000 ${p.rss} 0 0 0\n`;
  return {
    readFile(path) {
      const m = /^\/proc\/(\d+)\/(?:task\/(\d+)\/)?(stat|children|smaps_rollup)$/.exec(path);
      const pid = Number(m?.[1]);
      const p = procs[pid];
      if (!m || !p) throw enoent(path);
      if (m[3] === 'stat') return statLine(pid, p);
      if (m[3] === 'children') {
        if (opts.children === false) throw enoent(path);
        // Children of the thread group leader only (task/<pid>), the common case.
        if (Number(m[2]) !== pid) return '';
        const kids = Object.entries(procs)
          .filter(([, c]) => c.ppid === pid)
          .map(([k]) => k);
        return kids.length ? `${kids.join(' ')} ` : '';
      }
      if (opts.pssDenied || opts.pssDeniedPids?.includes(pid))
        throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
      return `Rss: ${p.rss * 4} kB\nPss: ${p.rss * 2} kB\nPss_Anon: 1 kB\n`;
    },
    readdir(path) {
      if (path === '/proc') return [...Object.keys(procs), 'self', 'sys'];
      const m = /^\/proc\/(\d+)\/task$/.exec(path);
      if (m && procs[Number(m[1])]) return [m[1] ?? ''];
      throw enoent(path);
    },
  };
}

function clock(start = 0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const base = { clkTck: 100, pageSize: 4096, pssEvery: 1 } as const;

describe('treeCpuTicks', () => {
  it('counts reaped children through cutime/cstime', () => {
    const s = parseStat('1 (x) S 0 1 1 0 -1 0 0 0 0 0 10 5 7 3 20 0 1 0 100 0 50\n');
    expect(s && treeCpuTicks([s])).toBe(25);
  });
});

describe('ProcSampler', () => {
  it('walks the tree, sums RSS and PSS, and reports CPU as cores from the second sample on', () => {
    const procs: Record<number, P> = {
      100: { ppid: 1, u: 10, s: 10, rss: 1000 },
      101: { ppid: 100, u: 50, s: 0, rss: 200 },
      102: { ppid: 100, u: 20, s: 5, rss: 300 },
      103: { ppid: 101, u: 1, s: 1, rss: 10 },
      200: { ppid: 1, u: 0, s: 0, rss: 1 },
    };
    const wall = clock(1_700_000_000_000);
    const mono = clock();
    const sampler = new ProcSampler({
      ...base,
      targets: [{ key: 'postgres', role: 'postgres', pid: 100 }],
      monotonic: mono.now,
      fs: fakeProc(procs),
    });
    const [first] = sampler.sample(wall.now());
    expect(first).toEqual({
      t: 1_700_000_000_000,
      kind: 'proc',
      component: 'postgres',
      pid: 100,
      processes: 4,
      rssBytes: 1510 * 4096,
      pssBytes: 1510 * 2 * 1024,
    });

    // One second later: 101 used 0.5 s; 102 used 0.25 s more, exited, and was reaped by 100;
    // 104 was born and used 0.1 s. All of it counts: 0.85 s in 1 s.
    wall.advance(1000);
    mono.advance(1000);
    procs[101] = { ppid: 100, u: 100, s: 0, rss: 200 };
    procs[100] = { ppid: 1, u: 10, s: 10, cu: 45, cs: 5, rss: 1000 };
    delete procs[102];
    procs[104] = { ppid: 100, u: 10, s: 0, rss: 100 };
    const [second] = sampler.sample(wall.now());
    expect(second).toMatchObject({ processes: 4, rssBytes: 1310 * 4096, cpuSeconds: 0.85, dtMs: 1000 });
    expect(second && 'cpuCores' in second ? second.cpuCores : undefined).toBeCloseTo(0.85, 10);
  });

  it('leaves excluded pids (the sampler backend) out of the tree', () => {
    const procs: Record<number, P> = {
      100: { ppid: 1, u: 0, s: 0, rss: 1000 },
      101: { ppid: 100, u: 0, s: 0, rss: 200 },
      102: { ppid: 100, u: 0, s: 0, rss: 300 },
    };
    const sampler = new ProcSampler({
      ...base,
      targets: [{ key: 'postgres', role: 'postgres', pid: 100 }],
      fs: fakeProc(procs),
      exclude: () => new Set([102]),
    });
    expect(sampler.sample(5)[0]).toMatchObject({ processes: 2, rssBytes: 1200 * 4096 });
  });

  it('falls back to one /proc scan per tick without task children files', () => {
    const procs: Record<number, P> = {
      100: { ppid: 1, u: 0, s: 0, rss: 10 },
      101: { ppid: 100, u: 0, s: 0, rss: 20 },
      200: { ppid: 1, u: 0, s: 0, rss: 30 },
      201: { ppid: 200, u: 0, s: 0, rss: 40 },
    };
    const sampler = new ProcSampler({
      ...base,
      targets: [
        { key: 'postgres', role: 'postgres', pid: 100 },
        { key: 'pgbouncer:pgb', role: 'pgbouncer', pid: 200 },
      ],
      fs: fakeProc(procs, { children: false }),
    });
    const lines = sampler.sample(5);
    expect(lines.map((l) => ('rssBytes' in l ? [l.component, l.processes, l.rssBytes / 4096] : l))).toEqual([
      ['postgres', 2, 30],
      ['pgbouncer:pgb', 2, 70],
    ]);
    expect([...sampler.warnings].join()).toMatch(/CONFIG_PROC_CHILDREN/);
  });

  it('records a gap for a process that is gone, and samples the others', () => {
    const procs: Record<number, P> = { 100: { ppid: 1, u: 0, s: 0, rss: 10 } };
    const sampler = new ProcSampler({
      ...base,
      targets: [
        { key: 'postgres', role: 'postgres', pid: 100 },
        { key: 'proxy:p', role: 'proxy', pid: 999 },
      ],
      fs: fakeProc(procs),
    });
    const [pgLine, proxyLine] = sampler.sample(5);
    expect(pgLine).toMatchObject({ kind: 'proc', component: 'postgres', processes: 1 });
    expect(proxyLine).toEqual({
      t: 5,
      kind: 'proc',
      gap: true,
      component: 'proxy:p',
      error: 'process 999 is gone',
    });
  });

  it('drops PSS with a warning when smaps_rollup is not readable, keeping RSS and CPU', () => {
    const sampler = new ProcSampler({
      ...base,
      targets: [{ key: 'postgres', role: 'postgres', pid: 100 }],
      fs: fakeProc({ 100: { ppid: 1, u: 0, s: 0, rss: 10 } }, { pssDenied: true }),
    });
    const [line] = sampler.sample(5);
    expect(line).toMatchObject({ rssBytes: 40960 });
    expect(line && 'pssBytes' in line).toBe(false);
    expect([...sampler.warnings].join()).toMatch(/PSS of postgres not readable \(EACCES\)/);
    expect(sampler.pssErrors.get('postgres')).toBe('EACCES');
  });

  it('turns PSS off only for the component whose smaps_rollup failed', () => {
    const sampler = new ProcSampler({
      ...base,
      targets: [
        { key: 'postgres', role: 'postgres', pid: 100 },
        { key: 'pgbouncer:pgb', role: 'pgbouncer', pid: 200 },
      ],
      fs: fakeProc(
        { 100: { ppid: 1, u: 0, s: 0, rss: 10 }, 200: { ppid: 1, u: 0, s: 0, rss: 4 } },
        { pssDeniedPids: [200] },
      ),
    });
    for (let i = 0; i < 3; i++) {
      const [pg, pgb] = sampler.sample(i);
      expect(pg).toMatchObject({ component: 'postgres', pssBytes: 10 * 2 * 1024 });
      expect(pgb && 'pssBytes' in pgb).toBe(false);
      expect(pgb).toMatchObject({ component: 'pgbouncer:pgb', rssBytes: 4 * 4096 });
    }
    expect([...sampler.pssErrors.keys()]).toEqual(['pgbouncer:pgb']);
  });

  it('reads PSS every n-th tick only, from the second tick (the first precedes the load)', () => {
    const sampler = new ProcSampler({
      ...base,
      pssEvery: 3,
      targets: [{ key: 'postgres', role: 'postgres', pid: 100 }],
      fs: fakeProc({ 100: { ppid: 1, u: 0, s: 0, rss: 10 } }),
    });
    const has: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      const [line] = sampler.sample(5);
      has.push(!!line && 'pssBytes' in line);
    }
    expect(has).toEqual([false, true, false, false, true]);
  });

  it('pssDue: every tick for 1, never for 0, else from the second tick every n-th', () => {
    const due = (every: number) => [1, 2, 3, 4, 5, 6, 7, 8].map((k) => pssDue(k, every));
    expect(due(1)).toEqual([true, true, true, true, true, true, true, true]);
    expect(due(0)).toEqual([false, false, false, false, false, false, false, false]);
    expect(due(2)).toEqual([false, true, false, true, false, true, false, true]);
    expect(due(3)).toEqual([false, true, false, false, true, false, false, true]);
  });

  it('restarts the CPU baseline when the pid now belongs to another process', () => {
    const procs: Record<number, P> = { 100: { ppid: 1, u: 500, s: 0, rss: 10, start: 1000 } };
    const mono = clock();
    const sampler = new ProcSampler({
      ...base,
      targets: [{ key: 'postgres', role: 'postgres', pid: 100 }],
      monotonic: mono.now,
      fs: fakeProc(procs),
    });
    sampler.sample(5);
    mono.advance(1000);
    procs[100] = { ppid: 1, u: 1, s: 0, rss: 10, start: 9000 };
    const [line] = sampler.sample(5);
    expect(line && 'cpuCores' in line).toBe(false);
    expect([...sampler.warnings].join()).toMatch(/replaced/);
  });
});
