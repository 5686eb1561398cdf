import { UNPAIRED_LABEL } from '../../summarize/compare/drift.js';

/** What the exit code of `bench compare` rests on (a CompareCommandResult has these). */
export interface CompareExitFacts {
  regressions: number;
  inconclusive: number;
  unpaired: number;
  control?: string;
}

/**
 * The lines `bench compare` writes to stderr about its exit code, each saying why. Two runs
 * normalized by a control say so in every line; an unpaired verdict is named for what it is (drift
 * between the runs could have made it) and counts like an inconclusive one.
 */
export function compareExitLines(c: CompareExitFacts, allowInconclusive: boolean, quiet = false): string[] {
  const by =
    c.control !== undefined
      ? ` (two runs normalized by the control config ${c.control}: each ratio divided by ${c.control}'s ratio between the runs)`
      : '';
  const allowed = allowInconclusive ? '; allowed by --allow-inconclusive' : '';
  const out: string[] = [];
  if (c.regressions > 0)
    out.push(
      `${c.regressions} regression(s): slower beyond the threshold, or failed where the baseline did not${by}`,
    );
  if (c.inconclusive > 0)
    out.push(
      `${c.inconclusive} inconclusive group(s): this data cannot tell a change of the threshold's size from noise (see the notes for the reps needed)${by}${allowed}`,
    );
  if (c.unpaired > 0)
    out.push(
      `${c.unpaired} group(s) ${UNPAIRED_LABEL}: their faster / slower / no-change could be the drift, so it is not conclusive (name a config both runs ran with --control-config, or compare two configs of one run)${allowed}`,
    );
  if (out.length === 0 && by !== '' && !quiet) out.push(`no regression${by}`);
  return out;
}
