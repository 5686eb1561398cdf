import { describe, expect, it } from 'vitest';
import type { Folded } from '../../src/profile/fold.js';
import { diffColor, diffFlameSvg, diffFolded } from '../../summarize/figures/flame/diff.js';
import { layoutFlame } from '../../summarize/figures/flame/layout.js';
import { escapeXml, fitLabel, flameSvg } from '../../summarize/figures/flame/svg.js';
import { buildTree } from '../../summarize/figures/flame/tree.js';

const stacks: Folded = new Map([
  ['pgbouncer;main;loop;epoll_wait', 50],
  ['pgbouncer;main;loop;send', 30],
  ['pgbouncer;main;parse', 15],
  ['pgbouncer;[pgbouncer]', 5],
]);

describe('flame graph layout', () => {
  const tree = buildTree(stacks);
  const layout = layoutFlame(tree, 1000);
  const rect = (p: string) => layout.rects.find((r) => r.path === p);

  it('sizes every frame by its samples, the root by all of them', () => {
    expect(layout.total).toBe(100);
    expect(rect('')?.width).toBe(1000);
    expect(rect('pgbouncer;main')?.width).toBeCloseTo(950);
    expect(rect('pgbouncer;main;loop;send')?.width).toBeCloseTo(300);
    expect(rect('pgbouncer;main;loop')?.value).toBe(80);
  });

  it('nests callees inside their caller, one row up, never wider than it', () => {
    for (const r of layout.rects) {
      if (r.depth === 0) continue;
      const parentPath = r.path.split(';').slice(0, -1).join(';');
      const parent = rect(parentPath);
      expect(parent, r.path).toBeDefined();
      if (!parent) continue;
      expect(r.depth).toBe(parent.depth + 1);
      expect(r.x).toBeGreaterThanOrEqual(parent.x - 1e-9);
      expect(r.x + r.width).toBeLessThanOrEqual(parent.x + parent.width + 1e-9);
      const siblings = layout.rects.filter((s) => s.depth === r.depth && s.path.startsWith(`${parentPath};`));
      const sum = siblings.reduce((a, s) => a + s.width, 0);
      expect(sum).toBeLessThanOrEqual(parent.width + 1e-9);
    }
    // parse (15) + loop (80) are all of main (95): the children fill their parent exactly.
    expect(
      (rect('pgbouncer;main;loop')?.width ?? 0) + (rect('pgbouncer;main;parse')?.width ?? 0),
    ).toBeCloseTo(rect('pgbouncer;main')?.width ?? 0);
    expect(layout.maxDepth).toBe(4);
  });

  it('leaves out frames too narrow to see, and says so', () => {
    const wide = buildTree(new Map([...stacks, ['pgbouncer;tiny', 1]]));
    const l = layoutFlame(wide, 100, 2);
    expect(l.rects.some((r) => r.path === 'pgbouncer;tiny')).toBe(false);
    expect(l.hidden).toBeGreaterThan(0);
  });
});

describe('flame graph SVG', () => {
  const svg = flameSvg(buildTree(stacks), {
    title: 'cpu-clock samples of pgbouncer',
    subtitle: ['user and kernel stacks'],
    width: 1020,
  });

  it('draws one titled rectangle per frame with samples and percentages', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<g class="frame">/g)?.length).toBe(8);
    expect(svg).toContain('<title>send: 30 samples, 30.00 % of all</title>');
    expect(svg).toContain('<title>all: 100 samples, 100.00 % of all</title>');
    expect(svg).toContain('cpu-clock samples of pgbouncer');
    expect(svg).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it('escapes frame names with < & " and truncates labels to fit', () => {
    const odd = flameSvg(buildTree(new Map([['p;operator<<&"x"', 3]])), {
      title: 'a < b & "c"',
      subtitle: [],
    });
    expect(odd).toContain('operator&lt;&lt;&amp;&quot;x&quot;: 3 samples');
    expect(odd).toContain('a &lt; b &amp; &quot;c&quot;');
    expect(odd).not.toMatch(/operator<</);
    expect(escapeXml(`<&"'>`)).toBe('&lt;&amp;&quot;&#39;&gt;');
    expect(fitLabel('epoll_wait', 200)).toBe('epoll_wait');
    expect(fitLabel('a_very_long_function_name', 60)).toBe('a_very..'); // 8 characters of 6.6 px fit in 60 - 6 px
    expect(fitLabel('abc', 10)).toBe('');
  });
});

describe('differential flame graph', () => {
  const base: Folded = new Map([
    ['p;main;a', 50],
    ['p;main;b', 50],
  ]);
  const cand: Folded = new Map([
    ['p;main;a', 150],
    ['p;main;b', 50],
  ]);

  it('colours by the change in share: a grew from 50 % to 75 %, b shrank from 50 % to 25 %', () => {
    const d = diffFolded(base, cand);
    expect(d.deltaPp.get('p;main;a')).toBeCloseTo(25);
    expect(d.deltaPp.get('p;main;b')).toBeCloseTo(-25);
    expect(d.deltaPp.get('p;main')).toBeCloseTo(0);
    expect(diffColor(25, 25)).toBe('rgb(245,45,45)');
    expect(diffColor(-25, 25)).toBe('rgb(45,45,245)');
    expect(diffColor(0, 25)).toBe('rgb(245,245,245)');
    const svg = diffFlameSvg(base, cand, { title: 't', subtitle: [] });
    expect(svg).toContain('a: candidate 150 samples (75.00 %), baseline 50 (50.00 %), share +25.00 pp');
    expect(svg).toContain('b: candidate 50 samples (25.00 %), baseline 50 (50.00 %), share -25.00 pp');
  });

  it('counts baseline samples in stacks the candidate lost', () => {
    const d = diffFolded(new Map([...base, ['p;gone', 20]]), cand);
    expect(d.baselineOnly).toBe(20);
  });
});
