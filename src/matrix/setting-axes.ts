import type { ConfigInput, ConfigSpec, SweepPoint } from './schema.js';

/** A pgbouncer config's top-level pool fields that may be lists (the rest of pgbouncer.ini is `settings:`). */
export const POOL_FIELDS = [
  'default_pool_size',
  'min_pool_size',
  'reserve_pool_size',
  'max_client_conn',
  'max_db_connections',
] as const;

/** The placeholders bench fills in itself (src/stack/render.ts); a config's own may not reuse them. */
export const BUILTIN_PLACEHOLDERS = [
  'port',
  'host',
  'upstream_host',
  'upstream_port',
  'database',
  'user',
  'workdir',
  'matrix_dir',
] as const;

type Value = string | number | boolean;
interface Axis {
  /** Where the list is: a pool field, `settings` (pgbouncer) or `placeholders` (proxy). */
  in: 'pool' | 'settings' | 'placeholders';
  key: string;
  values: Value[];
}

/** The name of one expansion: `<config>-<setting>-<value>` per axis, in axis order. */
export function settingConfigName(base: string, point: Record<string, Value>): string {
  return [base, ...Object.entries(point).map(([k, v]) => `${k}-${String(v)}`)].join('-');
}

type Swept = Extract<ConfigInput, { kind: 'pgbouncer' | 'proxy' }>;

function axesOf(c: Swept): Axis[] {
  if (c.kind === 'proxy') {
    return Object.entries(c.placeholders).flatMap(([k, v]): Axis[] =>
      Array.isArray(v) ? [{ in: 'placeholders', key: k, values: v }] : [],
    );
  }
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

/** One expansion of a config: its axes' lists replaced by the point's values. */
function expansion(c: Swept, axes: readonly Axis[], point: Record<string, Value>, name: string): ConfigSpec {
  const sweep: SweepPoint = { of: c.name, values: point };
  const of = (where: Axis['in'], base: Record<string, unknown>) => {
    const out = { ...base };
    for (const a of axes) if (a.in === where) out[a.key] = point[a.key] as Value;
    return out;
  };
  if (c.kind === 'proxy')
    return { ...c, placeholders: of('placeholders', c.placeholders), name, sweep } as ConfigSpec;
  return { ...c, ...of('pool', {}), settings: of('settings', c.settings), name, sweep } as ConfigSpec;
}

/**
 * A pgbouncer config with lists among its pool fields or settings (`default_pool_size: [2, 5]`,
 * `settings: { server_lifetime: [60, 600] }`), or a proxy config with lists among its
 * placeholders (`placeholders: { pool: [4, 16] }`), becomes one config per combination of values,
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
    const axes = c.kind === 'pgbouncer' || c.kind === 'proxy' ? axesOf(c) : [];
    if (axes.length === 0) {
      out.push(c as ConfigSpec);
      continue;
    }
    for (const point of combinations(axes)) {
      const name = settingConfigName(c.name, point);
      expandedFrom.set(name, c.name);
      out.push(expansion(c as Swept, axes, point, name));
    }
  }
  return { configs: out, expandedFrom };
}

/** Issues of a proxy's own placeholder names: written `{name}` in templates, never a built-in one. */
function placeholderNameIssues(c: ConfigInput): Array<{ path: string[]; message: string }> {
  if (c.kind !== 'proxy') return [];
  return Object.keys(c.placeholders).flatMap((k) => {
    const path = ['placeholders', k];
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
      return [
        { path, message: 'a placeholder name of letters, digits and "_" (written {name} in templates)' },
      ];
    return (BUILTIN_PLACEHOLDERS as readonly string[]).includes(k)
      ? [
          {
            path,
            message: `a name other than the built-in placeholders (${BUILTIN_PLACEHOLDERS.join(', ')})`,
          },
        ]
      : [];
  });
}

/**
 * Issues of the setting (or placeholder) lists of one config: repeated values, values a config
 * name cannot hold; and of a proxy's placeholder names.
 */
export function settingAxisIssues(c: ConfigInput): Array<{ path: string[]; message: string }> {
  if (c.kind !== 'pgbouncer' && c.kind !== 'proxy') return [];
  const lists = axesOf(c).flatMap((a) => {
    const path = a.in === 'pool' ? [a.key] : [a.in, a.key];
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
  return [...placeholderNameIssues(c), ...lists];
}
