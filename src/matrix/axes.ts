import { ConfigurationError } from '../errors.js';
import { expandConfigAxes } from './config-axes.js';
import { eventIssues, splitTarget } from './events.js';
import { expandProtocols, protocolWorkloadName } from './protocol.js';
import type { MatrixSpec, ParsedMatrix } from './schema.js';
import { workersOf } from './workers.js';

/**
 * The validated matrix with its config axes expanded (`workers: [1, 2, 4]` -> `<name>-w1`...,
 * `protocol: [simple, prepared]` -> `<name>-simple`...), its workloads' protocol lists too, and
 * its events checked against the expanded configs. With `--configs`, events of configs left out
 * are dropped (a subset is a legitimate quick run). A `baseline` naming an expanded config means
 * its first expansion. Bad targets exit 2 naming the field.
 */
export function expandAxes(spec: ParsedMatrix, file: string, selected?: readonly string[]): MatrixSpec {
  const { configs, expandedFrom } = expandConfigAxes(spec.configs);
  const specWorkloads = expandWorkloadProtocols(spec.workloads);
  const names = new Set(configs.map((c) => c.name));
  const baseOf = (n: string) => expandedFrom.get(n) ?? n;
  const events = selected
    ? spec.events.filter((e) => {
        const c = splitTarget(e.target).config;
        return selected.includes(c) || selected.includes(baseOf(c));
      })
    : spec.events;
  const views = configs.map((c) => ({ name: c.name, kind: c.kind, workers: workersOf(c) }));
  const workloads = specWorkloads.map((w) =>
    typeof w === 'string'
      ? { name: w, durationMs: spec.duration, profile: false }
      : {
          name: w.name,
          // A rate variant measures the matrix duration; a profile's cell is one segment.
          durationMs: w.profile ? w.profile.segment : spec.duration,
          profile: w.profile !== undefined,
        },
  );
  const issues = eventIssues(events, views, expandedFrom, workloads);
  if (issues.length > 0) {
    const lines = issues.map((i) => `${file}: ${formatPath(i.path)}: expected ${i.message}`);
    throw new ConfigurationError(lines[0] as string, lines.slice(1));
  }
  let baseline = spec.baseline;
  if (baseline !== undefined && !names.has(baseline)) {
    baseline = configs.find((c) => expandedFrom.get(c.name) === baseline)?.name ?? baseline;
  }
  return {
    ...spec,
    configs,
    workloads: specWorkloads,
    events,
    ...(baseline === undefined ? {} : { baseline }),
  };
}

/** Workloads with a protocol list become `<name>.<protocol>` workloads, where the list was. */
function expandWorkloadProtocols(workloads: MatrixSpec['workloads']): MatrixSpec['workloads'] {
  return workloads.flatMap((w): MatrixSpec['workloads'] =>
    typeof w === 'string' ? [w] : expandProtocols([w], protocolWorkloadName).items,
  );
}

function formatPath(p: ReadonlyArray<string | number>): string {
  return p.reduce<string>(
    (acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc === '' ? k : `${acc}.${k}`),
    '',
  );
}
