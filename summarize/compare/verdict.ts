/**
 * faster / slower: the interval excludes "no change" and the estimate is beyond the threshold.
 * no-change: the whole interval is within ± threshold. inconclusive: anything else, including too
 * few reps to have an interval at all.
 */
export type Verdict = 'faster' | 'slower' | 'no-change' | 'inconclusive';
