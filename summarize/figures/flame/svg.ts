import { type FrameRect, layoutFlame } from './layout.js';
import type { FrameNode } from './tree.js';

/** Pixels: a frame's row, the font, a monospace character's advance (0.6 em), the margins. */
const FRAME_H = 16;
const FONT = 11;
const CHAR_W = FONT * 0.6;
const MARGIN = 10;
const TITLE_H = 22;
const LINE_H = 15;
const DEFAULT_WIDTH = 1200;

export interface FlameOptions {
  title: string;
  /** Lines under the title: what the graph includes and does not. */
  subtitle: readonly string[];
  /** A last line under the graph. */
  footer?: string;
  /** Total width in pixels (1200 by default). */
  width?: number;
  /** A frame's fill; by default a warm colour from its name, orange for kernel frames. */
  color?: (r: FrameRect) => string;
  /** A frame's hover text (its `<title>`); by default its samples and share of all samples. */
  tooltip?: (r: FrameRect, total: number) => string;
}

/** Text for XML character data and attribute values. */
export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The name cut to what fits in `width` pixels (`..` marks a cut); empty when not even 3 characters fit. */
export function fitLabel(name: string, width: number): string {
  const chars = Math.floor((width - 6) / CHAR_W);
  if (chars < 3) return '';
  return name.length <= chars ? name : `${name.slice(0, chars - 2)}..`;
}

/** `12.34 %` of all samples; never scientific notation. */
export function percent(value: number, total: number): string {
  return total > 0 ? `${((100 * value) / total).toFixed(2)} %` : '0.00 %';
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h / 2 ** 32;
}

/** flamegraph.pl's "hot" palette for user frames; kernel frames (`_[k]`) in orange, the root grey. */
export function defaultColor(r: Pick<FrameRect, 'name' | 'depth'>): string {
  if (r.depth === 0) return 'rgb(200,200,200)';
  const v = hash(r.name);
  if (r.name.endsWith('_[k]')) return `rgb(${230 + Math.round(25 * v)},${140 + Math.round(60 * v)},40)`;
  return `rgb(${205 + Math.round(50 * v)},${Math.round(230 * hash(`${r.name}.g`))},${Math.round(55 * v)})`;
}

function defaultTooltip(r: FrameRect, total: number): string {
  return `${r.name}: ${r.value} samples, ${percent(r.value, total)} of all`;
}

function px(n: number): string {
  return String(Math.round(n * 10) / 10);
}

function frame(r: FrameRect, y: number, o: FlameOptions, total: number): string {
  const fill = (o.color ?? defaultColor)(r);
  const tip = (o.tooltip ?? defaultTooltip)(r, total);
  const label = fitLabel(r.name, r.width);
  const x = MARGIN + r.x;
  const text =
    label === '' ? '' : `<text x="${px(x + 3)}" y="${px(y + FRAME_H - 5)}">${escapeXml(label)}</text>`;
  return (
    `<g class="frame"><title>${escapeXml(tip)}</title>` +
    `<rect x="${px(x)}" y="${px(y)}" width="${px(Math.max(r.width - 0.5, 0.1))}" height="${FRAME_H - 1}" fill="${fill}" rx="1"/>` +
    `${text}</g>`
  );
}

/**
 * A flame graph as a self-contained SVG (no script, no external font or library): one rectangle
 * per frame, as wide as its samples, callees above callers, the root at the bottom; a frame's
 * `<title>` (shown on hover) gives its samples and their share.
 */
export function flameSvg(root: FrameNode, o: FlameOptions): string {
  const width = o.width ?? DEFAULT_WIDTH;
  const graphW = width - 2 * MARGIN;
  const layout = layoutFlame(root, graphW);
  const head = MARGIN + TITLE_H + o.subtitle.length * LINE_H + 6;
  const graphH = (layout.maxDepth + 1) * FRAME_H;
  const footText = [
    ...(o.footer ? [o.footer] : []),
    ...(layout.hidden > 0 ? [`${layout.hidden} frames narrower than a third of a pixel are not drawn`] : []),
  ].join('; ');
  const foot = footText ? LINE_H + 4 : 0;
  const height = head + graphH + foot + MARGIN;
  const frames = layout.rects.map((r) =>
    frame(r, head + (layout.maxDepth - r.depth) * FRAME_H, o, layout.total),
  );
  const sub = o.subtitle.map(
    (l, i) =>
      `<text x="${MARGIN}" y="${MARGIN + TITLE_H + (i + 1) * LINE_H - 3}" class="sub">${escapeXml(l)}</text>`,
  );
  const footer = footText
    ? `<text x="${MARGIN}" y="${head + graphH + LINE_H}" class="sub">${escapeXml(footText)}</text>`
    : '';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="flame" width="${width}" height="${height}" style="max-width:100%;height:auto" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(o.title)}">`,
    '<style>.flame text{font-family:monospace;font-size:11px;fill:#000}.flame .ttl{font-size:15px;font-weight:bold}.flame .sub{font-size:11px;fill:#333}.flame .frame:hover rect{stroke:#000;stroke-width:0.5}</style>',
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${MARGIN}" y="${MARGIN + 15}" class="ttl">${escapeXml(o.title)}</text>`,
    ...sub,
    ...frames,
    footer,
    '</svg>',
  ].join('\n');
}
