import { fmtPct } from '../model/format.js';
import type { CompareResult } from './compare.js';
import { UNPAIRED_LABEL } from './drift.js';

/** What the TPS side of the exit code rests on (a CompareResult has these). */
export interface CompareExitFacts {
  regressions: number;
  inconclusive: number;
  unpaired?: number;
  control?: string;
}

export interface CompareExit {
  /** 0: nothing to stop a merge; 1: a regression, or an undecided group / figure not allowed. */
  exitCode: 0 | 1;
  /** What the CLI prints on stderr: the counts, and which verdict (TPS, cost) set the exit code. */
  messages: string[];
}

/**
 * The lines about the TPS verdict, each saying why. Two runs normalized by a control say so in
 * every line; an unpaired verdict is named for what it is (drift between the runs could have made
 * it) and counts like an inconclusive one.
 */
export function compareExitLines(c: CompareExitFacts, allowInconclusive: boolean, quiet = false): string[] {
  const by =
    c.control !== undefined
      ? ` (two runs normalized by the control config ${c.control}: each ratio divided by ${c.control}'s ratio between the runs)`
      : '';
  const allowed = allowInconclusive ? '; allowed by --allow-inconclusive' : '';
  const unpaired = c.unpaired ?? 0;
  const out: string[] = [];
  if (c.regressions > 0)
    out.push(
      `${c.regressions} regression(s): slower beyond the threshold, or failed where the baseline did not${by}`,
    );
  if (c.inconclusive > 0)
    out.push(
      `${c.inconclusive} inconclusive group(s): this data cannot tell a change of the threshold's size from noise (see the notes for the reps needed)${by}${allowed}`,
    );
  if (unpaired > 0)
    out.push(
      `${unpaired} group(s) ${UNPAIRED_LABEL}: their faster / slower / no-change could be the drift, so it is not conclusive (name a config both runs ran with --control-config, or compare two configs of one run)${allowed}`,
    );
  if (out.length === 0 && by !== '' && !quiet) out.push(`no regression${by}`);
  return out;
}

/**
 * The exit code of `bench compare` and why, from both verdicts: the TPS verdict per group (paired,
 * normalized by a control, or unpaired) and the cost verdict per gating figure (instructions and
 * syscalls per transaction). Either one's regression exits 1; either one's inconclusive (and an
 * unpaired TPS verdict) exits 1 unless allowed.
 */
export function compareExit(r: CompareResult, allowInconclusive: boolean, quiet = false): CompareExit {
  const messages = compareExitLines(r, allowInconclusive, quiet);
  const setBy: string[] = [];
  if (r.regressions > 0) setBy.push('the TPS verdict (regression)');
  const cost = r.cost;
  const allowed = allowInconclusive ? '; allowed by --allow-inconclusive' : '';
  if (cost && cost.regressions > 0) {
    messages.push(
      `${cost.regressions} cost regression(s): the candidate does more work per transaction (instructions or syscalls) beyond the ${fmtPct(cost.threshold, 1)} cost threshold and the spread of the repeats`,
    );
    setBy.push('the cost verdict (regression)');
  }
  if (!allowInconclusive && r.inconclusive > 0) setBy.push('the TPS verdict (inconclusive)');
  if (!allowInconclusive && (r.unpaired ?? 0) > 0) setBy.push('the TPS verdict (unpaired)');
  if (cost && cost.inconclusive > 0) {
    messages.push(
      `${cost.inconclusive} inconclusive cost figure(s): a side's repeats disagree by more than the ${fmtPct(cost.threshold, 1)} cost threshold, or the change is inside their spread${allowed}`,
    );
    if (!allowInconclusive) setBy.push('the cost verdict (inconclusive)');
  }
  if (setBy.length === 0) return { exitCode: 0, messages };
  return { exitCode: 1, messages: [...messages, `exit 1, set by ${setBy.join(' and ')}`] };
}
