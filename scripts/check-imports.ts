/**
 * `npm run check:imports`: fails (exit 1) on any import circle in src/ and summarize/ and on any
 * arrow from a lower layer to a higher one (the layers are in scripts/import-graph.ts). Run by
 * `npm run check` and scripts/test.sh. Node runs this TypeScript file as it is (type stripping).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { circleKey, findCircles, importEdges, LAYERS, layerViolations, ONLY } from './import-graph.ts';

const ROOTS = ['src', 'summarize'];

/**
 * Circles tolerated for a while, listed exactly (a circle that grows, or a new one, still fails; a
 * listed one that is gone fails too, so the list cannot go stale). Empty since the figure
 * restructuring removed summarize/'s last circles.
 */
const KNOWN_SUMMARIZE_CIRCLES: readonly (readonly string[])[] = [];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.posix.join(dir, d.name);
    if (d.isDirectory()) return tsFiles(p);
    return d.isFile() && p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

const root = path.resolve(import.meta.dirname, '..');
process.chdir(root);
const files = ROOTS.flatMap(tsFiles).sort();
const edges = importEdges(new Map(files.map((f) => [f, readFileSync(f, 'utf8')])));
const allowed = new Set(KNOWN_SUMMARIZE_CIRCLES.map(circleKey));
const circles = findCircles(files, edges);
const problems = [
  ...circles.filter((c) => !allowed.has(circleKey(c))).map((c) => `circle: ${c.join(' -> ')}`),
  ...layerViolations(files, edges, { layers: LAYERS, only: ONLY }),
];
const stale = [...allowed].filter((k) => !circles.some((c) => circleKey(c) === k));
for (const k of stale) problems.push(`allowlisted circle no longer exists (remove it): ${k}`);
for (const c of circles.filter((c) => allowed.has(circleKey(c))))
  console.log(`known circle (allowlisted until issue-19-figures lands): ${c.join(' -> ')}`);
if (problems.length > 0) {
  for (const p of problems) console.error(`ERROR: ${p}`);
  console.error(
    `${problems.length} import problem(s) in ${files.length} files (layers: scripts/import-graph.ts)`,
  );
  process.exit(1);
}
console.log(`imports: ${files.length} files, ${edges.length} edges, no circle, no upward arrow`);
