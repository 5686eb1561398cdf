import { fmtCores, fmtInt, fmtMiB, isNum, MISSING } from '../../model/format.js';
import { roleFigures, sumNote } from '../../model/role-figures.js';
import type { ComponentFigures, Row } from '../../model/row.js';
import type { Column, Table } from '../figure.js';

/** A component's PSS for a table cell: "not read" (not a bare dash) when the sampler could not read it. */
export function pssCell(
  c: Pick<ComponentFigures, 'pssMissing'> | undefined,
  bytes: number | undefined,
): string {
  if (c === undefined) return MISSING;
  if (isNum(bytes)) return fmtMiB(bytes);
  return c.pssMissing ? 'not read' : MISSING;
}

/** The caption above a resource table, naming what each memory column means. */
const RESOURCE_CAPTION =
  'Sampled while the cells ran (peaks over reps; CPU in cores, 1 = one core busy). Memory is PSS: ' +
  'shared pages divided among the processes sharing them, the memory a component really uses. ' +
  'The RSS sum counts shared pages (shared_buffers) once per process, so it grows with backends. ' +
  'PSS per server backend is postgres PSS / server backends at the same tick. "not read": see the warnings.';

/** Under a resource table with a row of several processes of one role (PgBouncer `workers: N`). */
const SUM_NOTE =
  '"(sum of N)": the config runs N processes of that role (PgBouncer `workers: N`); its PSS, RSS and CPU ' +
  "are the sum over the N processes (a peak is the sum of each process's own peak).";

/** The sampled roles of the rows, by name. */
function rolesOf(rows: readonly Row[]): string[] {
  return [...new Set(rows.flatMap((r) => r.sampling?.components.map((c) => c.role) ?? []))].sort();
}

const count = (header: string, get: (r: Row) => number | undefined): Column<Row> => ({
  header,
  align: 'right',
  text: (r) => fmtInt(get(r)),
});

/** A role's figure, marked " (sum of N)" when the config runs several processes of it. */
function roleColumn(header: string, role: string, text: (r: Row) => string): Column<Row> {
  return {
    header,
    align: 'right',
    text: (r) => {
      const t = text(r);
      return t === MISSING ? t : t + sumNote(roleFigures(r, role));
    },
  };
}

function columns(rows: readonly Row[]): Column<Row>[] {
  const has = (f: (r: Row) => unknown) => rows.some((r) => f(r) !== undefined);
  const s = (r: Row) => r.sampling;
  const role = (r: Row, name: string) => roleFigures(r, name);
  return [
    { header: 'config', align: 'left', text: (r) => r.config },
    { header: 'clients', align: 'right', text: (r) => String(r.concurrency) },
    count('server backends (peak)', (r) => s(r)?.serverBackendsPeak),
    ...(has((r) => s(r)?.foreignBackendsPeak)
      ? [count('foreign backends (peak)', (r) => s(r)?.foreignBackendsPeak)]
      : []),
    ...(has((r) => s(r)?.clWaitingPeak)
      ? [
          count('pooler server conns (peak)', (r) => s(r)?.poolerServerConnectionsPeak),
          count('cl_waiting (peak)', (r) => s(r)?.clWaitingPeak),
        ]
      : []),
    ...rolesOf(rows).flatMap((name) => [
      roleColumn(`${name} PSS (MiB, peak)`, name, (r) => pssCell(role(r, name), role(r, name)?.pssPeakBytes)),
      roleColumn(`${name} RSS sum (MiB, peak; shared pages counted per process)`, name, (r) =>
        fmtMiB(role(r, name)?.rssPeakBytes),
      ),
      roleColumn(`${name} CPU (cores, mean)`, name, (r) => fmtCores(role(r, name)?.cpuCoresMean)),
    ]),
    ...(has((r) => s(r)?.pssPerBackendBytes)
      ? [
          {
            header: 'postgres PSS per server backend (MiB)',
            align: 'right',
            text: (r) => fmtMiB(s(r)?.pssPerBackendBytes),
          } satisfies Column<Row>,
        ]
      : []),
  ];
}

/** Sampled figures per workload: backends, pooler queues, PSS, RSS and CPU of every component role. */
export const resourceTable: Table<Row> = {
  id: 'resource-table',
  in: ['summary', 'findings'],
  perWorkload: (r) => r.workload,
  columns,
  caption: () => RESOURCE_CAPTION,
  notes: (rows) =>
    rows.some((r) => rolesOf(rows).some((name) => (roleFigures(r, name)?.processes ?? 1) > 1))
      ? [SUM_NOTE]
      : [],
};
