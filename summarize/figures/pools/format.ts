import { fixed, grouped, isNum, MISSING } from '../../model/format.js';

/** Bytes as KiB, no decimals: a pool's share of PgBouncer's memory. */
export const fmtKiB = (bytes: number | undefined) =>
  isNum(bytes) ? grouped(fixed(bytes / 1024, 0)) : MISSING;

/** Cores as millicores (1/1000 of a core), three decimals: a pool's share of PgBouncer's CPU. */
export const fmtMillicores = (cores: number | undefined) => (isNum(cores) ? fixed(cores * 1000, 3) : MISSING);

/** A count or a mean of counts: integers as such, means with two decimals. */
export const fmtCount = (x: number | undefined) =>
  isNum(x) ? (Number.isInteger(x) ? grouped(String(x)) : fixed(x, 2)) : MISSING;

/** A value already in the table's unit (MiB, KiB, millicores: model/pools.ts), at the table's precision. */
export const fmtOneDecimal = (x: number | undefined) => (isNum(x) ? grouped(fixed(x, 1)) : MISSING);
export const fmtWhole = (x: number | undefined) => (isNum(x) ? grouped(fixed(x, 0)) : MISSING);
export const fmtThreeDecimals = (x: number | undefined) => (isNum(x) ? fixed(x, 3) : MISSING);
