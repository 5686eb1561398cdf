import type { Folded } from '../../../src/profile/fold.js';

/** A frame in the merged call tree: its samples include those of every frame it called. */
export interface FrameNode {
  name: string;
  /** Samples in which this frame was on the stack at this path (inclusive). */
  value: number;
  children: Map<string, FrameNode>;
}

/** The root (`all`) is every sample; the next level is the process name (comm). */
export const ROOT_NAME = 'all';

/** Folded stacks into one tree: stacks sharing a prefix share its frames. */
export function buildTree(stacks: Folded): FrameNode {
  const root: FrameNode = { name: ROOT_NAME, value: 0, children: new Map() };
  for (const [stack, count] of stacks) {
    if (!(count > 0)) continue;
    root.value += count;
    let node = root;
    for (const frame of stack.split(';')) {
      let child = node.children.get(frame);
      if (!child) {
        child = { name: frame, value: 0, children: new Map() };
        node.children.set(frame, child);
      }
      child.value += count;
      node = child;
    }
  }
  return root;
}

/** Every node's path from the root (frames joined by `;`) and its inclusive samples. */
export function pathValues(root: FrameNode): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (n: FrameNode, prefix: string) => {
    for (const c of n.children.values()) {
      const p = prefix === '' ? c.name : `${prefix};${c.name}`;
      out.set(p, c.value);
      walk(c, p);
    }
  };
  walk(root, '');
  return out;
}
