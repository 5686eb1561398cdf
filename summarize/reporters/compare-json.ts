import type { CompareResult } from '../compare/compare.js';
import type { CompareRenderOptions } from './compare-markdown.js';

/** compare.json: the whole result with the labels; NaN and ±Infinity become null (JSON has neither). */
export function compareJson(r: CompareResult, o: CompareRenderOptions): string {
  return `${JSON.stringify(
    { ...o, ...r },
    (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
    2,
  )}\n`;
}
