import type { Column, Output, Table } from './figure.js';

/** A right-aligned number column: its text from `format`, its exact value, its summary.json pointer when given. */
export function numberColumn<T>(
  header: string,
  get: (r: T) => number | undefined,
  format: (x: number | undefined) => string,
  pointer?: (r: T) => string | undefined,
): Column<T> {
  return { header, align: 'right', text: (r) => format(get(r)), value: get, ...(pointer ? { pointer } : {}) };
}

/** A table whose columns do not depend on the rows, with a caption above it. */
export function fixedTable<T>(
  id: string,
  outputs: readonly Output[],
  columns: readonly Column<T>[],
  caption: string,
): Table<T> {
  return { id, in: outputs, columns: () => [...columns], caption: () => caption };
}
