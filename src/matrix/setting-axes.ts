import type { ConfigInput, ConfigSpec, SweepPoint } from './schema.js';

/** A pgbouncer config's top-level pool fields that may be lists (the rest of pgbouncer.ini is `settings:`). */
export const POOL_FIELDS = [
  'default_pool_size',
  'min_pool_size',
  'reserve_pool_size',
  'max_client_conn',
  'max_db_connections',
] as const;

type Value = string | number | boolean;
interface Axis {
  /** Where the list is: a pool field or `settings`. */
  in: 'pool' | 'settings';
  key: string;
  values: Value[];
}

/** The name of one expansion: `<config>-<setting>-<value>` per axis, in axis order. */
export function settingConfigName(base: string, point: Record<string, Value>): string {
  return [base, ...Object.entries(point).map(([k, v]) => `${k}-${String(v)}`)].join('-');
}

function axesOf(c: Extract<ConfigInput, { kind: 'pgbouncer' }>): Axis[] {
  const pool = POOL_FIELDS.flatMap((k): Axis[] => {
    const v = c[k];
    return Array.isArray(v) ? [{ in: 'pool', key: k, values: v }] : [];
  });
  const settings = Object.entries(c.settings).flatMap(([k, v]): Axis[] =>
    Array.isArray(v) ? [{ in: 'settings', key: k, values: v }] : [],
  );
  return [...pool, ...settings];
}

/** Every combination of the axes' values, the first axis slowest (the file's order). */
function combinations(axes: readonly Axis[]): Array<Record<string, Value>> {
  return axes.reduce<Array<Record<string, Value>>>(
    (acc, a) => acc.flatMap((point) => a.values.map((v) => ({ ...point, [a.key]: v }))),
    [{}],
  );
}

/**
 * A pgbouncer config with lists among its pool fields or settings (`default_pool_size: [2, 5]`,
 * `settings: { server_lifetime: [60, 600] }`) becomes one config per combination of values,
 * named `<config>-<setting>-<value>`, each with its one value and a `sweep` saying which values it
 * took (the report's sweep figure reads it). Other configs stay as they are. Pure.
 */
export function expandSettings(configs: readonly ConfigInput[]): {
  configs: ConfigSpec[];
  expandedFrom: Map<string, string>;
} {
  const out: ConfigSpec[] = [];
  const expandedFrom = new Map<string, string>();
  for (const c of configs) {
    if (c.kind !== 'pgbouncer') {
      out.push(c);
      continue;
    }
    const axes = axesOf(c);
    if (axes.length === 0) {
      out.push(c as ConfigSpec);
      continue;
    }
    for (const point of combinations(axes)) {
      const name = settingConfigName(c.name, point);
      const settings = { ...c.settings };
      const pool: Record<string, Value> = {};
      for (const a of axes) {
        if (a.in === 'pool') pool[a.key] = point[a.key] as Value;
        else settings[a.key] = point[a.key] as Value;
      }
      const sweep: SweepPoint = { of: c.name, values: point };
      expandedFrom.set(name, c.name);
      out.push({ ...c, ...pool, settings, name, sweep } as ConfigSpec);
    }
  }
  return { configs: out, expandedFrom };
}

/** Issues of the setting lists of one config: repeated values, values a config name cannot hold. */
export function settingAxisIssues(c: ConfigInput): Array<{ path: string[]; message: string }> {
  if (c.kind !== 'pgbouncer') return [];
  return axesOf(c).flatMap((a) => {
    const path = a.in === 'pool' ? [a.key] : ['settings', a.key];
    const dup = a.values.find((v, i) => a.values.indexOf(v) !== i);
    if (dup !== undefined) return [{ path, message: `unique values (${String(dup)} repeats)` }];
    const bad = a.values.find((v) => !/^[A-Za-z0-9._]+$/.test(String(v)));
    return bad === undefined
      ? []
      : [
          {
            path,
            message: `values of letters, digits, "." or "_" (they name configs), got "${String(bad)}"`,
          },
        ];
  });
}
