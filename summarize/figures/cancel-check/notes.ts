import { type Sentence, sentence } from '../../tldr/refs.js';
import { type CancelFigureRow, refsOf } from './rows.js';

/**
 * Why a config missed cancels, only as far as the run shows it: unpeered workers explain misses
 * when one process of the same PgBouncer version, in the same run, landed every cancel it sent and
 * enough of them that its miss rate is, at 95 %, below this config's (exact intervals, which do not
 * overlap). Placeholders from {5} on; {0}-{4} are the config's own (see missedNote).
 */
function missCause(
  x: CancelFigureRow,
  rows: readonly CancelFigureRow[],
): { text: string; numbers: Sentence['numbers'] } {
  const r = x.r;
  if (r.workers === 1 || r.peered !== false) return { text: 'the run does not show why', numbers: [] };
  const ctl = rows.find((y) => y.r.workers === 1 && y.r.version === r.version && y.r.sent > 0);
  const head = 'its {5} workers were not peered';
  const workers = refsOf(x).count('workers');
  if (!ctl)
    return {
      text: `${head}, and the run has no one-process config of PgBouncer ${r.version ?? '(unknown)'} to tell that apart from other causes`,
      numbers: [workers],
    };
  const c = refsOf(ctl);
  const name = ctl.r.config;
  if (ctl.r.missed > 0)
    return {
      text: `${head}, but one process of the same version (${name}) missed {6} of {7} too: not only the routing`,
      numbers: [workers, c.count('missed'), c.count('sent')],
    };
  if (ctl.r.unknown > 0)
    return {
      text: `${head}, and one process of the same version (${name}) has {6} of {7} results unknown: the run cannot tell the routing from other causes`,
      numbers: [workers, c.count('unknown'), c.count('sent')],
    };
  if ((ctl.r.missedHigh ?? 1) >= (r.missedLow ?? 0))
    return {
      text: `${head}, but the control is too small to tell that apart from other causes: one process of the same version (${name}) landed all {6}, which bounds its miss rate only below {7} (95 %), not below this config's {3}`,
      numbers: [workers, c.count('sent'), c.share('missedHigh', 1)],
    };
  return {
    text: `${head}: a cancel the kernel gave to another worker than the client's was ignored (one process of the same version, ${name}, landed all {6}: its miss rate is below {7}, this config's above {3}, 95 % intervals)`,
    numbers: [workers, c.count('sent'), c.share('missedHigh', 1)],
  };
}

function missedNote(x: CancelFigureRow, rows: readonly CancelFigureRow[]): Sentence | undefined {
  const ref = refsOf(x);
  const cause = missCause(x, rows);
  return sentence(
    'cancel',
    `${x.r.config}: {0} of {1} cancels sent missed their query ({2}, 95 % interval {3}–{4}): ${cause.text}.`,
    [
      ref.count('missed'),
      ref.count('sent'),
      ref.share('missedShare', 0),
      ref.share('missedLow', 1),
      ref.share('missedHigh', 1),
      ...cause.numbers,
    ],
  );
}

/**
 * The lines under the cancel table, each number with its summary.json pointer (`/cancelChecks/rows/...`):
 * a config that sent no cancel, cancels with no known result, and why a config missed some.
 */
export function cancelNotes(rows: readonly CancelFigureRow[]): Sentence[] {
  return rows
    .flatMap((x) => {
      const ref = refsOf(x);
      if (x.r.sent === 0)
        return [
          sentence(
            'cancel',
            `${x.r.config}: no cancel was sent (its {0} probe${x.r.probes === 1 ? '' : 's'} failed before sending one): nothing can be said.`,
            [ref.count('probes')],
          ),
        ];
      return [
        x.r.unknown > 0
          ? sentence(
              'cancel',
              `${x.r.config}: {0} of {1} cancels sent have no known result (the request failed or timed out after it was written, or the statement ended with another error; \`cancelCheck.errors\` in cells.jsonl has the reasons): they count as sent, not as landed.`,
              [ref.count('unknown'), ref.count('sent')],
            )
          : undefined,
        x.r.missed > 0 ? missedNote(x, rows) : undefined,
      ];
    })
    .filter((s): s is Sentence => s !== undefined);
}
