/**
 * The import graph of src/ and summarize/, and the two rules it must keep (scripts/check-imports.ts
 * applies them; test/unit/import-graph.test.ts tests them on a small graph): no circle between
 * files, and no arrow from a lower layer to a higher one. Pure: file texts in, findings out.
 */

/**
 * The layers, lowest first. A file may import files of its own module and of modules in lower
 * layers; never a higher layer, nor another module of its own layer (siblings stay independent).
 * A module is a folder (`src/matrix/`) or a single file (`src/cli.ts`).
 * - util, errors: helpers and error classes that know nothing of benchmarks.
 * - matrix: the experiment as data (schema, expansion, shards); pure, imports only util.
 * - pgbench: argv, parsers and the summary types of one pgbench run.
 * - stack: starting components (PostgreSQL, PgBouncer, proxies) that pgbench then talks to.
 * - sampling: samplers of a running stack, and the sample and summary types they produce.
 * - results: the contract between run and summarize; a cell record holds pgbench's and the
 *   samplers' summaries, so it sits above both.
 * - runner and summarize, side by side: run writes results, summarize reads them (DESIGN.md);
 *   neither imports the other.
 * - commands (one per CLI command), ui (the terminal's renderings of their results), cli.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['src/util/', 'src/errors.ts'],
  ['src/matrix/'],
  ['src/pgbench/', 'src/profile/'],
  ['src/stack/'],
  ['src/sampling/'],
  ['src/results/'],
  ['src/runner/', 'summarize/'],
  ['src/commands/'],
  ['src/ui/'],
  ['src/cli.ts'],
];

/**
 * Modules that may import only these lower ones, whatever their layer allows. summarize reads only
 * results: the contract's types and the pure code beneath it, never the stack (DESIGN.md).
 */
export const ONLY: Readonly<Record<string, readonly string[]>> = {
  'summarize/': [
    'src/results/',
    'src/sampling/',
    'src/pgbench/',
    'src/profile/',
    'src/matrix/',
    'src/util/',
    'src/errors.ts',
  ],
};

export interface Edge {
  from: string;
  to: string;
}

export interface Rules {
  layers: readonly (readonly string[])[];
  only: Readonly<Record<string, readonly string[]>>;
}

/** `import ... from 'x'`, `export ... from 'x'`, `import 'x'` at a line's start, and `import('x')`. */
const STATIC = /^\s*(?:import|export)\s+(?:type\s+)?(?:[^;'"]*?\s+from\s+)?['"]([^'"\n]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"\n]+)['"]\s*\)/g;

/** The module specifiers a TypeScript file imports, type-only imports included. */
export function importSpecifiers(source: string): string[] {
  return [...source.matchAll(STATIC), ...source.matchAll(DYNAMIC)].map((m) => m[1] ?? '');
}

/** `../x/y.js` from `src/a/b.ts` -> `src/x/y.ts` when that file is one of `files`, else undefined. */
export function resolveImport(from: string, spec: string, files: ReadonlySet<string>): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const parts = from.split('/').slice(0, -1);
  for (const p of spec.split('/')) {
    if (p === '..') parts.pop();
    else if (p !== '.') parts.push(p);
  }
  const joined = parts.join('/');
  const candidate = joined.endsWith('.js') ? `${joined.slice(0, -3)}.ts` : joined;
  return files.has(candidate) ? candidate : undefined;
}

/** Every import edge between the given files (path -> text). */
export function importEdges(sources: ReadonlyMap<string, string>): Edge[] {
  const files = new Set(sources.keys());
  const edges: Edge[] = [];
  for (const [from, text] of sources) {
    for (const spec of importSpecifiers(text)) {
      const to = resolveImport(from, spec, files);
      if (to !== undefined && !edges.some((e) => e.from === from && e.to === to)) edges.push({ from, to });
    }
  }
  return edges;
}

/**
 * The circles: strongly connected components of more than one file (or a file importing itself),
 * each as one cycle through its first file, e.g. [a, b, a]. Tarjan's algorithm.
 */
export function findCircles(nodes: readonly string[], edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>(nodes.map((n) => [n, []]));
  for (const e of edges) next.get(e.from)?.push(e.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v) ?? 0);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) {
      onStack.delete(w);
      component.push(w);
    }
    const selfLoop = component.length === 1 && (next.get(v) ?? []).includes(v);
    if (component.length > 1 || selfLoop) components.push(component.sort());
  };
  for (const n of nodes) if (!index.has(n)) visit(n);
  return components.map((c) => cycleThrough(c, next)).sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}

/** A shortest cycle from the component's first file back to it, staying inside the component. */
function cycleThrough(component: readonly string[], next: ReadonlyMap<string, string[]>): string[] {
  const start = component[0] ?? '';
  const inside = new Set(component);
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const v = queue[i] ?? '';
    for (const w of next.get(v) ?? []) {
      if (w === start) {
        const path = [v];
        for (let u = cameFrom.get(v); u !== undefined; u = cameFrom.get(u)) path.unshift(u);
        if (path[0] !== start) path.unshift(start);
        return [...path, start];
      }
      if (inside.has(w) && !cameFrom.has(w) && w !== start) {
        cameFrom.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/** The module a file belongs to (the longest matching entry of the layers), and its layer. */
export function moduleOf(file: string, rules: Rules): { module: string; layer: number } | undefined {
  let best: { module: string; layer: number } | undefined;
  rules.layers.forEach((modules, layer) => {
    for (const m of modules) {
      const match = m.endsWith('/') ? file.startsWith(m) : file === m;
      if (match && (best === undefined || m.length > best.module.length)) best = { module: m, layer };
    }
  });
  return best;
}

/** Files in no layer, and each edge that goes up a layer, sideways to a sibling, or outside ONLY. */
export function layerViolations(files: readonly string[], edges: readonly Edge[], rules: Rules): string[] {
  const out = files
    .filter((f) => moduleOf(f, rules) === undefined)
    .map((f) => `${f}: in no layer (add its folder to LAYERS in scripts/import-graph.ts)`);
  for (const e of edges) {
    const a = moduleOf(e.from, rules);
    const b = moduleOf(e.to, rules);
    if (a === undefined || b === undefined || a.module === b.module) continue;
    const arrow = `${e.from} -> ${e.to}: ${a.module} (layer ${a.layer})`;
    const only = rules.only[a.module];
    if (b.layer > a.layer) out.push(`${arrow} imports ${b.module} (layer ${b.layer}), a higher layer`);
    else if (b.layer === a.layer) out.push(`${arrow} imports ${b.module}, a sibling in its own layer`);
    else if (only !== undefined && !only.includes(b.module))
      out.push(`${arrow} imports ${b.module}, outside what it may import (${only.join(', ')})`);
  }
  return out;
}

/** The same circle, however it is rotated: its files, sorted. */
export function circleKey(circle: readonly string[]): string {
  return [...new Set(circle)].sort().join(' ');
}
