import { describe, expect, it } from 'vitest';
import {
  circleKey,
  findCircles,
  importEdges,
  importSpecifiers,
  layerViolations,
  moduleOf,
  resolveImport,
} from '../../scripts/import-graph.js';

describe('importSpecifiers', () => {
  it('finds static, type-only, multi-line, re-export, side-effect and dynamic imports', () => {
    const text = [
      "import path from 'node:path';",
      "import type { A } from './a.js';",
      'import {',
      '  b,',
      '  type C,',
      "} from '../b/c.js';",
      "export { d } from './d.js';",
      "export type * from './e.js';",
      "import './side.js';",
      "const f = await import('./f.js');",
    ].join('\n');
    expect(importSpecifiers(text).sort()).toEqual(
      ['node:path', './a.js', '../b/c.js', './d.js', './e.js', './side.js', './f.js'].sort(),
    );
  });

  it('does not take a string or a comment for an import', () => {
    const text = [
      'export const message = \'import x from "./nope.js"\';',
      " * import { y } from './in-a-comment.js'",
      "export function f() { return 'from'; }",
    ].join('\n');
    expect(importSpecifiers(text)).toEqual([]);
  });
});

describe('resolveImport', () => {
  const files = new Set(['src/a/b.ts', 'src/c.ts']);
  it('maps a relative .js specifier to the .ts file it names', () => {
    expect(resolveImport('src/a/x.ts', './b.js', files)).toBe('src/a/b.ts');
    expect(resolveImport('src/a/x.ts', '../c.js', files)).toBe('src/c.ts');
    expect(resolveImport('summarize/y.ts', '../src/a/b.js', files)).toBe('src/a/b.ts');
  });
  it('ignores packages and files outside the graph', () => {
    expect(resolveImport('src/a/x.ts', 'zod', files)).toBeUndefined();
    expect(resolveImport('src/a/x.ts', '../../package.json', files)).toBeUndefined();
  });
});

describe('findCircles', () => {
  it('finds each circle once, as a cycle through its first file', () => {
    const nodes = ['a', 'b', 'c', 'd', 'e', 'f'];
    const edges = [
      { from: 'a', to: 'b' },
      { from: 'b', to: 'a' },
      { from: 'c', to: 'd' },
      { from: 'd', to: 'e' },
      { from: 'e', to: 'c' },
      { from: 'e', to: 'f' },
      { from: 'f', to: 'f' },
    ];
    expect(findCircles(nodes, edges)).toEqual([
      ['a', 'b', 'a'],
      ['c', 'd', 'e', 'c'],
      ['f', 'f'],
    ]);
  });

  it('finds none in a graph without cycles (a diamond)', () => {
    const edges = [
      { from: 'a', to: 'b' },
      { from: 'a', to: 'c' },
      { from: 'b', to: 'd' },
      { from: 'c', to: 'd' },
    ];
    expect(findCircles(['a', 'b', 'c', 'd'], edges)).toEqual([]);
  });

  it('a circle is the same however it is rotated', () => {
    expect(circleKey(['b', 'a', 'b'])).toBe(circleKey(['a', 'b', 'a']));
    expect(circleKey(['a', 'b', 'a'])).not.toBe(circleKey(['a', 'b', 'c', 'a']));
  });
});

describe('layerViolations', () => {
  const rules = {
    layers: [['low/', 'base.ts'], ['mid/'], ['top/', 'side/']],
    only: { 'side/': ['low/'] },
  };
  const files = ['low/x.ts', 'base.ts', 'mid/y.ts', 'mid/z.ts', 'top/t.ts', 'side/s.ts'];

  it('places a file in the longest matching module', () => {
    expect(moduleOf('mid/y.ts', rules)).toEqual({ module: 'mid/', layer: 1 });
    expect(moduleOf('base.ts', rules)).toEqual({ module: 'base.ts', layer: 0 });
    expect(moduleOf('basement.ts', rules)).toBeUndefined();
  });

  it('allows arrows down and inside a module', () => {
    const edges = [
      { from: 'top/t.ts', to: 'mid/y.ts' },
      { from: 'mid/y.ts', to: 'low/x.ts' },
      { from: 'mid/y.ts', to: 'mid/z.ts' },
      { from: 'side/s.ts', to: 'low/x.ts' },
    ];
    expect(layerViolations(files, edges, rules)).toEqual([]);
  });

  it('refuses an arrow up, one to a sibling of its layer, one outside ONLY, and a file in no layer', () => {
    const edges = [
      { from: 'low/x.ts', to: 'mid/y.ts' },
      { from: 'side/s.ts', to: 'top/t.ts' },
      { from: 'side/s.ts', to: 'mid/y.ts' },
    ];
    expect(layerViolations([...files, 'stray.ts'], edges, rules)).toEqual([
      'stray.ts: in no layer (add its folder to LAYERS in scripts/import-graph.ts)',
      'low/x.ts -> mid/y.ts: low/ (layer 0) imports mid/ (layer 1), a higher layer',
      'side/s.ts -> top/t.ts: side/ (layer 2) imports top/, a sibling in its own layer',
      'side/s.ts -> mid/y.ts: side/ (layer 2) imports mid/, outside what it may import (low/)',
    ]);
  });

  it('importEdges builds the graph from file texts', () => {
    const sources = new Map([
      ['low/x.ts', "import { y } from '../mid/y.js';\nimport { y as again } from '../mid/y.js';"],
      ['mid/y.ts', "import type { Z } from './z.js';"],
      ['mid/z.ts', ''],
    ]);
    expect(importEdges(sources)).toEqual([
      { from: 'low/x.ts', to: 'mid/y.ts' },
      { from: 'mid/y.ts', to: 'mid/z.ts' },
    ]);
  });
});
