import Table from 'cli-table3';

type Align = 'left' | 'right';

/**
 * The terminal tables' common shape: no colours (output is often piped into CI logs) and no rule
 * between body rows, so a long matrix stays on one screen. `columns` pairs each header with its
 * alignment.
 */
export function denseTable(columns: Array<[string, Align]>): InstanceType<typeof Table> {
  return new Table({
    head: columns.map(([h]) => h),
    style: { head: [], border: [] },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    colAligns: columns.map(([, a]) => a),
  });
}
