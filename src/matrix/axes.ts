import { ConfigurationError } from '../errors.js';
import { eventIssues, splitTarget } from './events.js';
import type { MatrixSpec } from './schema.js';
import { expandWorkers, workersOf } from './workers.js';

/**
 * The validated matrix with its config axes expanded (`workers: [1, 2, 4]` -> `<name>-w1`...) and
 * its events checked against the expanded configs. With `--configs`, events of configs left out
 * are dropped (a subset is a legitimate quick run). A `baseline` naming an expanded config means
 * its first expansion. Bad targets exit 2 naming the field.
 */
export function expandAxes(spec: MatrixSpec, file: string, selected?: readonly string[]): MatrixSpec {
  const { configs, expandedFrom } = expandWorkers(spec.configs);
  const names = new Set(configs.map((c) => c.name));
  const baseOf = (n: string) => expandedFrom.get(n) ?? n;
  const events = selected
    ? spec.events.filter((e) => {
        const c = splitTarget(e.target).config;
        return selected.includes(c) || selected.includes(baseOf(c));
      })
    : spec.events;
  const views = configs.map((c) => ({ name: c.name, kind: c.kind, workers: workersOf(c) }));
  const workloads = spec.workloads.map((w) =>
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
  // A name of a workers list means its first expansion, as for the baseline.
  const expanded = (n: string) =>
    names.has(n) ? n : (configs.find((c) => expandedFrom.get(c.name) === n)?.name ?? n);
  const baseline = spec.baseline === undefined ? undefined : expanded(spec.baseline);
  const compare = spec.compare?.map((p): [string, string] => [expanded(p[0]), expanded(p[1])]);
  return {
    ...spec,
    configs,
    events,
    ...(baseline === undefined ? {} : { baseline }),
    ...(compare === undefined ? {} : { compare }),
  };
}

function formatPath(p: ReadonlyArray<string | number>): string {
  return p.reduce<string>(
    (acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc === '' ? k : `${acc}.${k}`),
    '',
  );
}
