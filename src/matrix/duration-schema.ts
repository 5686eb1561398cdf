import { z } from 'zod';
import { parseDuration } from '../util/duration.js';

/** A positive duration: `5s`, `500ms`, `2m`, or a number of seconds. Stored in milliseconds. */
export const durationSchema = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: 'a duration such as 10s, 500ms, 2m or a number of seconds' });
    return z.NEVER;
  }
  return ms;
});

export const positiveDuration = durationSchema.refine((ms) => ms > 0, {
  message: 'a duration greater than zero',
});
export const nonNegativeDuration = durationSchema.refine((ms) => ms >= 0, {
  message: 'a duration of zero or more',
});
