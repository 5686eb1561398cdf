import { z } from 'zod';
import { groupProfileSchema, latencyLimit, rateValue } from './profile-schema.js';

/**
 * A workload's `mix:`: client groups that run at once in one cell, each its own pgbench process
 * (or several, as a big group splits: src/pgbench/split.ts), each with its own workload, clients,
 * rate, database and role (docs/tenants.md). The matrix's concurrency is a factor on every group's
 * clients and rate (src/matrix/mix.ts says why).
 */

const groupName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'a group name of letters, digits, "_" or "-" (used in file names)');

/** PostgreSQL identifiers as the stack creates them (bench, bench_<config>). */
const ident = z.string().min(1).max(63, 'at most 63 bytes (a PostgreSQL identifier)');

/** The group schema over the built-in workload names (passed in: schema.ts holds their table and imports this file). */
const mixGroupSchema = <B extends z.ZodType<string>>(builtin: B) =>
  z
    .strictObject({
      name: groupName,
      /** A built-in pgbench workload (tpcb, readonly, ...). */
      builtin: builtin.optional(),
      /** Custom pgbench script file(s), relative to the matrix file. `file@weight` is allowed. */
      script: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
      /** This group's pgbench clients at concurrency 1 (the matrix's concurrency multiplies them). */
      clients: z.number().int().positive(),
      /** pgbench -R of this group: transactions per second over its clients (multiplied like clients). */
      rate: rateValue.optional(),
      latency_limit: latencyLimit.optional(),
      reconnect: z.boolean().optional(),
      flags: z.array(z.string()).default([]),
      /** The database this group's clients connect to; one the stack creates (checked before the run). */
      database: ident.optional(),
      /** The role this group's clients log in as; one the stack creates for the config (checked before the run). */
      role: ident.optional(),
      /** `each`: one copy of this group per (tenant database, tenant role) pair (the matrix's `tenants:`). */
      tenant: z.literal('each').optional(),
      /**
       * This group's own server pool under a `pool_per_group` or `pgbouncer_per_group` config,
       * instead of its even share of default_pool_size (docs/tenants.md "Fair sizes").
       */
      pool_size: z.number().int().positive().optional(),
      /**
       * Rates over the cell's time: the group runs its segments back to back, one pgbench per segment,
       * while the other groups run the whole cell (docs/tenants.md). Its duration is the cell's.
       */
      profile: groupProfileSchema.optional(),
    })
    .refine((g) => (g.builtin === undefined) !== (g.script === undefined), {
      message: 'a group with a workload: exactly one of "builtin" or "script"',
    })
    .refine((g) => g.tenant === undefined || (g.database === undefined && g.role === undefined), {
      message: 'either "tenant: each" or a database/role of its own, not both',
      path: ['tenant'],
    })
    .refine((g) => g.rate === undefined || g.profile === undefined, {
      message: 'either "rate" or "profile" on a group, not both (a profile sets the rate of each segment)',
      path: ['profile'],
    })
    .refine(
      (g) =>
        (g.rate === undefined && g.profile === undefined) || !g.flags.some((f) => /^(-R|--rate)/.test(f)),
      { message: 'no -R/--rate in flags when "rate" or "profile" sets it', path: ['flags'] },
    );

/** A non-empty list of groups with distinct names. */
export const mixSchemaOf = <B extends z.ZodType<string>>(builtin: B) =>
  z
    .array(mixGroupSchema(builtin))
    .min(1, 'a non-empty list of client groups')
    .superRefine((groups, ctx) => {
      const seen = new Map<string, number>();
      groups.forEach((g, i) => {
        const prev = seen.get(g.name);
        if (prev !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: [i, 'name'],
            message: `a unique group name ("${g.name}" is also mix[${prev}])`,
          });
        seen.set(g.name, i);
      });
    });

/**
 * A group's profile runs over the cell's measured time, beside groups that run the whole cell, so
 * its duration is the cell's: the matrix's `duration` (after `--duration`). Not taken from the
 * profile: a mix is read against other workloads of the same matrix (the alone baseline of the
 * noisy-neighbour figure), which measure `duration`; a mix cell of another length would not compare.
 */
export function groupProfileRules(
  m: {
    duration: number;
    workloads: ReadonlyArray<
      string | { mix?: ReadonlyArray<{ profile?: { duration: number } | undefined }> }
    >;
  },
  ctx: z.RefinementCtx,
): void {
  m.workloads.forEach((w, i) => {
    if (typeof w === 'string') return;
    w.mix?.forEach((g, j) => {
      const d = g.profile?.duration;
      if (d !== undefined && d !== m.duration)
        ctx.addIssue({
          code: 'custom',
          path: ['workloads', i, 'mix', j, 'profile', 'duration'],
          message: `the cell's measured duration (the matrix's duration, or --duration: ${m.duration / 1000} s), got ${d / 1000} s (a group's profile runs inside one cell, beside groups that run all of it)`,
        });
    });
  });
}
