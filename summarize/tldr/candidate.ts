import type { Row } from '../model/row.js';
import type { refs, Sentence } from './refs.js';

/**
 * One rule per kind of TL;DR sentence. A rule returns candidates; `tldr` (index.ts) ranks them and
 * keeps at most MAX_SENTENCES. Every number of a sentence is a NumberRef into summary.json.
 */
export interface Candidate {
  sentence: Sentence;
  /** Lower tiers are chosen first: what a reader must know before what is nice to know. */
  tier: number;
  /** Within a tier, larger first (e.g. |ln TPS ratio| for comparisons). */
  effect: number;
}

export interface RuleContext {
  rows: readonly Row[];
  R: ReturnType<typeof refs>;
  /** Groups where every cell completed: the only ones a headline may quote. */
  completed: readonly Row[];
  /** The baseline config's row at r's place: same workload, concurrency and group (tldr/pair-row.ts). */
  baseRow: (r: Row) => Row | undefined;
  totals?: { cellsFailed: number };
  cv: number;
  cpuSaturationCores: number;
}

export const TIER = {
  /** Said first, before the ranked sentences, whenever the data shows it (a pooler process saturating a core). */
  lead: -1,
  /** The matrix's own `compare:` pairs: its question, always said, first after a lead. */
  question: -0.5,
  failedCells: 0,
  /** Clients a config left starved (figures/clients/tldr.ts). */
  starved: 0.5,
  /** Which config hid an event best, when every paired rep says so (figures/outage-compare). */
  eventComparison: 0.75,
  /** Which pool topology kept a quiet group's p99 lowest, or that the paired reps cannot tell (figures/noisy-neighbour). */
  topology: 0.8,
  comparison: 1,
  singleRepComparison: 2,
  /** The longest gap of each scheduled event (figures/outage): what an operations matrix asks. */
  outage: 2.5,
  noneSupported: 3,
  /** The one cost sentence (figures/cost): work per transaction, only when its repeats agree. */
  cost: 3.5,
  failedTransactions: 4,
  cpu: 5,
  backends: 6,
  memory: 7,
  saturation: 8,
  noise: 9,
} as const;

/** A candidate list of one sentence, or none when the sentence could not be made (a number missing). */
export function candidate(s: Sentence | undefined, tier: number, effect = 0): Candidate[] {
  return s ? [{ sentence: s, tier, effect }] : [];
}
