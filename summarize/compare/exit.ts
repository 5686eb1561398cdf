import { fmtPct } from '../model/format.js';
import type { CompareResult } from './compare.js';

export interface CompareExit {
  /** 0: nothing to stop a merge; 1: a regression, or an undecided group / figure not allowed. */
  exitCode: 0 | 1;
  /** What the CLI prints on stderr: the counts, and which verdict (TPS, cost) set the exit code. */
  messages: string[];
}

/**
 * The exit code of `bench compare` and why, from both verdicts: the TPS verdict per group (as
 * before) and the cost verdict per gating figure (instructions and syscalls per transaction).
 * Either one's regression exits 1; either one's inconclusive exits 1 unless allowed.
 */
export function compareExit(r: CompareResult, allowInconclusive: boolean): CompareExit {
  const messages: string[] = [];
  const setBy: string[] = [];
  if (r.regressions > 0) {
    messages.push(
      `${r.regressions} regression(s): slower beyond the threshold, or failed where the baseline did not`,
    );
    setBy.push('the TPS verdict (regression)');
  }
  const cost = r.cost;
  if (cost && cost.regressions > 0) {
    messages.push(
      `${cost.regressions} cost regression(s): the candidate does more work per transaction (instructions or syscalls) beyond the ${fmtPct(cost.threshold, 1)} cost threshold and the spread of the repeats`,
    );
    setBy.push('the cost verdict (regression)');
  }
  const allowed = allowInconclusive ? '; allowed by --allow-inconclusive' : '';
  if (r.inconclusive > 0) {
    messages.push(
      `${r.inconclusive} inconclusive group(s): this data cannot tell a change of the threshold's size from noise (see the notes for the reps needed)${allowed}`,
    );
    if (!allowInconclusive) setBy.push('the TPS verdict (inconclusive)');
  }
  if (cost && cost.inconclusive > 0) {
    messages.push(
      `${cost.inconclusive} inconclusive cost figure(s): a side's repeats disagree by more than the ${fmtPct(cost.threshold, 1)} cost threshold, or the change is inside their spread${allowed}`,
    );
    if (!allowInconclusive) setBy.push('the cost verdict (inconclusive)');
  }
  if (setBy.length === 0) return { exitCode: 0, messages };
  return { exitCode: 1, messages: [...messages, `exit 1, set by ${setBy.join(' and ')}`] };
}
