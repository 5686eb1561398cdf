import { fmtInt } from '../../model/format.js';
import { numberColumn } from '../columns.js';
import type { Column, Table } from '../figure.js';
import { type CompareRow, comparedEvent, comparisonsOf, configWithStrategy } from './rows.js';

const at = (r: CompareRow, path: string) => `/outages/${r.i}/${path}`;
const ms = (x: number | undefined) => (x === undefined ? '—' : fmtInt(Math.round(x)));

const num = (header: string, path: string, get: (r: CompareRow) => number | undefined): Column<CompareRow> =>
  numberColumn(header, get, header.includes('(ms)') ? ms : fmtInt, (r) =>
    get(r) === undefined ? undefined : at(r, path),
  );

function columns(): Column<CompareRow>[] {
  return [
    { header: 'event', align: 'left', text: (r) => comparedEvent(r.c) },
    { header: 'config (strategy)', align: 'left', text: (r) => configWithStrategy(r.config, r.strategy) },
    num('rep', 'rep', (r) => r.rep),
    num('clients lost', 'aborted', (r) => r.o.aborted),
    num('failed tx', 'failed', (r) => r.o.failed),
    {
      ...num('longest gap (ms)', 'gapMs', (r) => r.o.gapMs),
      text: (r) => (r.o.gapMs === undefined ? '—' : `${ms(r.o.gapMs)}${r.o.gapOpen ? ' (to end)' : ''}`),
    },
    num('tx completed after the event', 'completedAfter', (r) => r.o.completedAfter),
    {
      header: 'paired',
      align: 'left',
      text: (r) => (r.paired ? 'yes' : r.o.error ? `no: the event failed (${r.o.error})` : 'no'),
    },
  ];
}

/** The verdict of each comparison, under the table: who hid the event best, or why the data cannot tell. */
export function verdictNotes(rows: readonly CompareRow[]): string[] {
  return comparisonsOf(rows).map((c) => {
    const v = c.verdict;
    if ('best' in v) {
      const k = c.configs.find((x) => x.config === v.best);
      return `${comparedEvent(c)}: **${configWithStrategy(v.best, k?.strategy)} hid it best**: it lost fewer clients than every other config, and had no more failed transactions, in each of the ${c.pairedReps.length} paired reps.`;
    }
    return `${comparedEvent(c)}: the data cannot tell the configs apart: ${v.why}.`;
  });
}

const CAPTION =
  "Configs that ran the same event (same kind and action, a failover's strategy aside, at the same planned moment) on the same workload and clients, rep by rep (outages[i] of summary.json). Clients lost: aborted by pgbench from the event on (never reconnected); completed after: transactions completed from the event to the next event or the end of the log. Reps are paired by rep number; a config hid the event best only when it lost fewer clients than every other config, with no more failed transactions, in every paired rep, over at least 3 of them.";

export const compareTable: Table<CompareRow> = {
  id: 'outage-compare-table',
  in: ['findings', 'html', 'terminal'],
  title: 'The same event across configs',
  columns,
  caption: () => CAPTION,
  notes: verdictNotes,
};
