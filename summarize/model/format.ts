/**
 * Number formatting for humans (markdown, terminal, FINDINGS.md). Never scientific notation, and a
 * figure that does not exist (NaN, ±Infinity, undefined) is "–" rather than "NaN" or a made-up 0.
 * Decimals follow the magnitude so a column reads at a glance and the digits shown are meaningful.
 */
export const MISSING = '–';

export function isNum(x: number | undefined | null): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/** Fixed decimals without exponent; huge values go through BigInt because toFixed switches to e-notation at 1e21. */
export function fixed(x: number | undefined | null, decimals: number): string {
  if (!isNum(x)) return MISSING;
  if (Math.abs(x) >= 1e21) return BigInt(Math.round(x)).toString();
  const s = x.toFixed(decimals);
  // -0.00 reads as a sign error.
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** Thousands separators on the integer part: 68757.25 -> "68,757.25". */
export function grouped(s: string): string {
  if (s === MISSING) return s;
  const m = /^(-?)(\d+)(\.\d+)?$/.exec(s);
  if (!m) return s;
  return `${m[1]}${(m[2] ?? '').replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${m[3] ?? ''}`;
}

export function tpsDecimals(x: number): number {
  const a = Math.abs(x);
  return a >= 100 ? 0 : a >= 10 ? 1 : 2;
}

export function msDecimals(x: number): number {
  const a = Math.abs(x);
  return a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3;
}

export function ratioDecimals(x: number): number {
  return Math.abs(x) >= 10 ? 1 : 2;
}

export function fmtTps(x: number | undefined): string {
  return isNum(x) ? grouped(fixed(x, tpsDecimals(x))) : MISSING;
}

export function fmtMs(x: number | undefined): string {
  return isNum(x) ? grouped(fixed(x, msDecimals(x))) : MISSING;
}

export function fmtRatio(x: number | undefined): string {
  return isNum(x) ? fixed(x, ratioDecimals(x)) : MISSING;
}

/** A fraction as a percentage: 0.042 -> "4.2%". */
export function fmtPct(fraction: number | undefined, decimals = 1): string {
  return isNum(fraction) ? `${fixed(fraction * 100, decimals)}%` : MISSING;
}

/**
 * A confidence level (1 − alpha) as a percentage with the fewest decimals (up to 4) that state it
 * exactly: 95%, 99.9%, 99.82% (alpha 0.0018 must not read "100%").
 */
export function fmtConfidence(alpha: number): string {
  const pct = (1 - alpha) * 100;
  for (let d = 0; d < 4; d++) if (Math.abs(Number(pct.toFixed(d)) - pct) < 1e-9) return `${pct.toFixed(d)}%`;
  return `${pct.toFixed(4)}%`;
}

export function fmtInt(x: number | undefined): string {
  return isNum(x) ? grouped(fixed(x, 0)) : MISSING;
}

export function fmtMiB(bytes: number | undefined): string {
  return isNum(bytes) ? grouped(fixed(bytes / 1048576, 1)) : MISSING;
}

export function fmtCores(x: number | undefined): string {
  return isNum(x) ? fixed(x, 2) : MISSING;
}

/**
 * `mean ± σ` with both at the decimals the mean's magnitude calls for (hyperfine style). Without a
 * spread (one rep) only the mean is shown: the reps column says why.
 */
export function meanPm(
  mean: number | undefined,
  sd: number | undefined,
  decimalsFor: (x: number) => number,
): string {
  if (!isNum(mean)) return MISSING;
  const d = decimalsFor(mean);
  const m = grouped(fixed(mean, d));
  return isNum(sd) ? `${m} ± ${grouped(fixed(sd, d))}` : m;
}

/** `min … max` */
export function range(
  lo: number | undefined,
  hi: number | undefined,
  decimalsFor: (x: number) => number,
): string {
  if (!isNum(lo) || !isNum(hi)) return MISSING;
  return `${grouped(fixed(lo, decimalsFor(lo)))} … ${grouped(fixed(hi, decimalsFor(hi)))}`;
}

/**
 * A plain machine-readable number for CSV: rounded to `decimals`, no exponent, no separators;
 * missing figures are the empty string.
 */
export function csvNumber(x: number | undefined, decimals: number): string {
  if (!isNum(x)) return '';
  const s = fixed(x, decimals);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}
