const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses `10s`, `500ms`, `2m`, `1h`, `1.5s` or a bare number (seconds) into milliseconds.
 * Returns undefined for anything else (negative values parse, so callers can say "must be > 0").
 */
export function parseDuration(input: string | number): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) ? Math.round(input * 1000) : undefined;
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(input);
  if (!m || m[1] === undefined) return undefined;
  const factor = UNITS[m[2] ?? 's'];
  if (factor === undefined) return undefined;
  return Math.round(Number(m[1]) * factor);
}
