import { z } from 'zod';
import { parseDuration } from '../util/duration.js';

/**
 * The matrix fields of a rate-limited workload: `rate` (pgbench -R, the total over all clients,
 * or a list of them: a matrix axis), `latency_limit` (-L) and `profile:` (rates over time, run
 * as consecutive rate-limited pgbench segments; src/matrix/profile.ts expands it).
 */

/** The shortest segment: below a few seconds a segment's percentiles rest on too few seconds. */
export const MIN_SEGMENT_MS = 2_000;

/**
 * The shortest segment of a client group's profile (docs/tenants.md): whole seconds only. A group's
 * segment is no cell of its own: its percentiles are over all of the group's segments together, and
 * a segment keeps pgbench's own summary only, so the 2 s floor of a workload's segments does not apply.
 */
export const MIN_GROUP_SEGMENT_MS = 1_000;

/** A duration in whole seconds (each segment is one pgbench -T), in milliseconds once parsed. */
const wholeSeconds = (zeroAllowed: boolean) =>
  z
    .union([z.number(), z.string()], {
      // A missing field: say what belongs there, not zod's "Invalid input".
      error: (issue) =>
        issue.input === undefined ? 'a duration in whole seconds, e.g. 10s or 2m' : undefined,
    })
    .transform((v, ctx) => {
      const ms = parseDuration(v);
      if (ms === undefined || ms < 0 || (ms === 0 && !zeroAllowed) || ms % 1000 !== 0) {
        ctx.addIssue({
          code: 'custom',
          message: `a duration in whole seconds${zeroAllowed ? '' : ' greater than zero'}, e.g. 10s or 2m`,
        });
        return z.NEVER;
      }
      return ms;
    });
const wholeSecondsDuration = wholeSeconds(false);

/** pgbench -R: transactions per second over the whole run (all clients together), not per client. */
export const rateValue = z.number().positive('a rate in transactions per second greater than zero');

/** pgbench -L, in milliseconds once parsed (pgbench takes fractions of a ms). */
export const latencyLimit = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: 'a latency limit greater than zero, e.g. 50ms or 0.5s' });
    return z.NEVER;
  }
  return ms;
});

const burst = z.strictObject({
  /** Offset from the start of the profile; a multiple of `segment`. */
  at: wholeSeconds(true),
  rate: rateValue,
  /** How long the burst lasts; a multiple of `segment`. */
  for: wholeSecondsDuration,
});

const common = {
  /** Total length of the profile. */
  duration: wholeSecondsDuration,
  /** Length of one segment (one pgbench run at one rate). */
  segment: wholeSecondsDuration.default(10_000),
  /** Spans at another rate (a cron job, a campaign), on top of any shape. */
  bursts: z.array(burst).default([]),
};

/** A profile whose segments are at least `minSegmentMs` long. */
const profileSchemaWith = (minSegmentMs: number) =>
  z
    .discriminatedUnion(
      'shape',
      [
        z.strictObject({ shape: z.literal('constant'), rate: rateValue, ...common }),
        z.strictObject({ shape: z.literal('step'), base: rateValue, ...common }),
        z.strictObject({ shape: z.literal('ramp'), from: rateValue, to: rateValue, ...common }),
        z.strictObject({
          shape: z.literal('diurnal'),
          min: rateValue,
          max: rateValue,
          /** One compressed day; by default the whole profile. */
          period: wholeSecondsDuration.optional(),
          ...common,
        }),
      ],
      {
        error: (issue) =>
          issue.code === 'invalid_union'
            ? 'a profile shape: one of constant, step, ramp, diurnal'
            : undefined,
      },
    )
    .superRefine((p, ctx) => {
      if (p.segment < minSegmentMs) {
        ctx.addIssue({
          code: 'custom',
          path: ['segment'],
          message: `a segment of at least ${minSegmentMs / 1000} s (shorter segments give percentiles from too few transactions)`,
        });
      }
      if (p.duration % p.segment !== 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['duration'],
          message: `a multiple of the segment length (${p.segment / 1000} s)`,
        });
      }
      p.bursts.forEach((b, i) => {
        if (b.at % p.segment !== 0 || b.for % p.segment !== 0 || b.at + b.for > p.duration) {
          ctx.addIssue({
            code: 'custom',
            path: ['bursts', i],
            message: `a burst whose "at" and "for" are multiples of the segment length (${p.segment / 1000} s) and that ends within the profile's duration (${p.duration / 1000} s)`,
          });
        }
      });
      if (p.shape === 'diurnal' && p.max < p.min) {
        ctx.addIssue({ code: 'custom', path: ['max'], message: 'a maximum rate not below the minimum' });
      }
    });

/** A workload's profile: each segment is a cell of its own. */
export const profileSchema = profileSchemaWith(MIN_SEGMENT_MS);

/** A client group's profile: its segments run one after another inside one mix cell. */
export const groupProfileSchema = profileSchemaWith(MIN_GROUP_SEGMENT_MS);

export type ProfileSpec = z.output<typeof profileSchema>;
