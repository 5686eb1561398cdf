import type { FrameNode } from './tree.js';

/** One rectangle of a flame graph, in pixels; depth 0 is the root (drawn at the bottom). */
export interface FrameRect {
  name: string;
  /** The frame's path from the root, frames joined by `;` (`all` left out). */
  path: string;
  depth: number;
  x: number;
  width: number;
  /** Inclusive samples. */
  value: number;
}

export interface Layout {
  rects: FrameRect[];
  /** The deepest depth drawn. */
  maxDepth: number;
  total: number;
  /** Frames left out because they would be narrower than minWidth pixels. */
  hidden: number;
}

/**
 * The flame graph layout (Gregg's): each frame is as wide as its share of the samples, its callees
 * sit on top of it, side by side in alphabetical order (the x axis is not time), starting at its
 * left edge. A frame narrower than `minWidth` pixels is not drawn, nor are its callees; its samples
 * stay in its caller's width.
 */
export function layoutFlame(root: FrameNode, width: number, minWidth = 0.3): Layout {
  const rects: FrameRect[] = [];
  const total = root.value;
  let hidden = 0;
  let maxDepth = 0;
  if (total <= 0) return { rects, maxDepth, total, hidden };
  const scale = width / total;
  const place = (n: FrameNode, path: string, depth: number, x: number) => {
    const w = n.value * scale;
    if (w < minWidth) {
      hidden++;
      return;
    }
    rects.push({ name: n.name, path, depth, x, width: w, value: n.value });
    maxDepth = Math.max(maxDepth, depth);
    let cx = x;
    for (const c of [...n.children.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    )) {
      place(c, path === '' ? c.name : `${path};${c.name}`, depth + 1, cx);
      cx += c.value * scale;
    }
  };
  place(root, '', 0, 0);
  return { rects, maxDepth, total, hidden };
}
