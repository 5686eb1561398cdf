import { ConfigurationError } from '../errors.js';
import { expandConfigAxes } from './config-axes.js';
import { eventGateIssues, reindexEventGates } from './event-gates.js';
import { eventIssues, eventSequenceIssues, onFailoverIssues, standbyRelayIssues } from './event-issues.js';
import { splitTarget } from './events.js';
import { expandProtocols, protocolWorkloadName } from './protocol.js';
import type { MatrixSpec, ParsedMatrix } from './schema.js';
import { settingAxisIssues } from './setting-axes.js';
import { workersOf } from './workers.js';

/**
 * The validated matrix with its config axes expanded (`workers: [1, 2, 4]` -> `<name>-w1`...,
 * `protocol: [simple, prepared]` -> `<name>-simple`...), its workloads' protocol lists too, and
 * its events checked against the expanded configs. With `--configs`, events of configs left out
 * are dropped (a subset is a legitimate quick run). A `baseline` naming an expanded config means
 * its first expansion. Bad targets exit 2 naming the field.
 */
export function expandAxes(spec: ParsedMatrix, file: string, selected?: readonly string[]): MatrixSpec {
  throwIssues(
    file,
    spec.configs.flatMap((c, i) =>
      settingAxisIssues(c).map((t) => ({ path: ['configs', i, ...t.path], message: t.message })),
    ),
  );
  const { configs, expandedFrom } = expandConfigAxes(spec.configs);
  const specWorkloads = expandWorkloadProtocols(spec.workloads);
  const names = new Set(configs.map((c) => c.name));
  const baseOf = (n: string) => expandedFrom.get(n) ?? n;
  throwIssues(file, eventGateIssues(spec, baseOf));
  const keptIndex = spec.events.flatMap((e, i) => {
    const c = splitTarget(e.target).config;
    return !selected || selected.includes(c) || selected.includes(baseOf(c)) ? [i] : [];
  });
  const events = keptIndex.map((i) => spec.events[i] as (typeof spec.events)[number]);
  const views = configs.map((c) => ({
    name: c.name,
    kind: c.kind,
    workers: workersOf(c),
    ...('standby' in c && c.standby !== undefined ? { standby: c.standby } : {}),
    ...('fault_relay' in c && c.fault_relay !== undefined ? { faultRelay: c.fault_relay } : {}),
  }));
  const workloads = specWorkloads.map((w) =>
    typeof w === 'string' || !w.profile
      ? // A rate variant measures the matrix duration.
        { name: typeof w === 'string' ? w : w.name, durationMs: spec.duration }
      : // An event on a profile is on its whole timeline; it fires in the segment containing it.
        { name: w.name, durationMs: w.profile.duration, segmentMs: w.profile.segment },
  );
  const allNames = [...spec.configs.map((c) => c.name), ...expandedFrom.keys()];
  const issues = [
    ...nameIssues(spec, allNames),
    ...onFailoverIssues(spec.configs),
    ...standbyRelayIssues(spec.configs),
    ...eventIssues(events, views, expandedFrom, workloads),
    ...eventSequenceIssues(events, workloads),
  ];
  throwIssues(file, issues);
  // A name of a workers list means its first expansion, as for the baseline.
  const expanded = (n: string) =>
    names.has(n) ? n : (configs.find((c) => expandedFrom.get(c.name) === n)?.name ?? n);
  const baseline = spec.baseline === undefined ? undefined : expanded(spec.baseline);
  const compare = spec.compare?.map((p): [string, string] => [expanded(p[0]), expanded(p[1])]);
  throwIssues(file, expansionIssues(configs, compare ?? []));
  return {
    ...spec,
    ...withEventGates(spec, keptIndex),
    configs: withEventGates(configs, keptIndex),
    workloads: withEventGates(specWorkloads, keptIndex),
    events,
    ...(baseline === undefined ? {} : { baseline }),
    ...(compare === undefined ? {} : { compare }),
  };
}

/**
 * `baseline` and every `compare` pair name configs, as written or as expanded from their axes
 * (`<name>-w2`, `<name>-prepared`...); a pair names two different configs.
 */
function nameIssues(
  spec: Pick<ParsedMatrix, 'baseline' | 'compare'>,
  names: readonly string[],
): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  const oneOf = `the name of a config (one of ${names.join(', ')})`;
  if (spec.baseline !== undefined && !names.includes(spec.baseline))
    out.push({ path: ['baseline'], message: oneOf });
  (spec.compare ?? []).forEach((pair, i) => {
    pair.forEach((n, j) => {
      if (!names.includes(n)) out.push({ path: ['compare', i, j], message: oneOf });
    });
    if (pair[0] === pair[1])
      out.push({
        path: ['compare', i, 1],
        message: `a config other than the candidate ("${pair[0]}" compared with itself)`,
      });
  });
  return out;
}

/**
 * After the axes expanded: every config name is still unique (`pgb-simple` written beside a
 * `pgb` with `protocol: [simple]`, or a setting list of 60 and "60", would make two), and no
 * compare pair became a config compared with itself (`[pgb, pgb-w1]` where `pgb` means `pgb-w1`).
 */
function expansionIssues(
  configs: readonly { name: string }[],
  compare: readonly [string, string][],
): { path: (string | number)[]; message: string }[] {
  const out: { path: (string | number)[]; message: string }[] = [];
  const seen = new Set<string>();
  for (const c of configs) {
    if (seen.has(c.name))
      out.push({
        path: ['configs'],
        message: `unique config names after the axes expand (${c.name} is made twice: rename a config or drop a repeated value)`,
      });
    seen.add(c.name);
  }
  compare.forEach((p, i) => {
    if (p[0] === p[1])
      out.push({
        path: ['compare', i],
        message: `two different configs (both name ${p[0]} once the axes expand)`,
      });
  });
  return out;
}

/** Workloads with a protocol list become `<name>.<protocol>` workloads, where the list was. */
function expandWorkloadProtocols(workloads: MatrixSpec['workloads']): MatrixSpec['workloads'] {
  return workloads.flatMap((w): MatrixSpec['workloads'] =>
    typeof w === 'string' ? [w] : expandProtocols([w], protocolWorkloadName).items,
  );
}

/** Bad input exits 2 with every issue, each naming the file and the field path. */
/** Issues as one ConfigurationError (exit 2), each line `<file>: <path>: expected <message>`. */
export function throwIssues(
  file: string,
  issues: readonly { path: ReadonlyArray<string | number>; message: string }[],
): void {
  if (issues.length === 0) return;
  const lines = issues.map((i) => `${file}: ${formatPath(i.path)}: expected ${i.message}`);
  throw new ConfigurationError(lines[0] as string, lines.slice(1));
}

function formatPath(p: ReadonlyArray<string | number>): string {
  return p.reduce<string>(
    (acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc === '' ? k : `${acc}.${k}`),
    '',
  );
}

/**
 * Event gates re-keyed to the events kept (src/matrix/event-gates.ts): with `--configs` the others'
 * events are dropped and the kept ones' indices move. Untouched when no event was dropped.
 */
function withEventGates<T>(x: T, kept: readonly number[]): T {
  const fix = <G extends { gates?: { events?: Record<string, unknown> } }>(o: G): G => {
    const ev = o.gates?.events;
    if (!ev) return o;
    return { ...o, gates: { ...o.gates, events: reindexEventGates(ev as never, kept) } };
  };
  if (Array.isArray(x)) return x.map((o) => (typeof o === 'object' && o !== null ? fix(o) : o)) as T;
  return fix(x as { gates?: { events?: Record<string, unknown> } }) as T;
}
