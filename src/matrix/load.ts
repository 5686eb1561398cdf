import { existsSync, readFileSync, type Stats, statSync } from 'node:fs';
import path from 'node:path';
import {
  type Alias,
  type Document,
  isAlias,
  isCollection,
  LineCounter,
  type Node,
  parseDocument,
  visit,
  type YAMLError,
} from 'yaml';
import type { z } from 'zod';
import { ConfigurationError } from '../errors.js';
import { sha256 } from '../util/hash.js';
import { expandAxes } from './axes.js';
import { loadVariants } from './load-variants.js';
import { type MatrixSpec, matrixSchema } from './schema.js';
import { resolveWorkload, scriptFile, type Workload } from './workload.js';

export interface Matrix {
  spec: MatrixSpec;
  workloads: Workload[];
  file: string;
  /** sha256 of the file's bytes: resume refuses a changed matrix. */
  hash: string;
  /** The file's text, copied into run.json so a run is reproducible from its results. */
  text: string;
}

/** Overrides from flags or environment, applied before validation so they are validated too. */
export interface MatrixOverrides {
  duration?: string;
  warmup?: string;
  reps?: number;
  scale?: number;
  concurrency?: number[];
  configs?: string[];
  workloads?: string[];
  provider?: string;
  /** Image per role (postgres, pgbouncer, pgbench) for the testcontainers provider. */
  images?: Record<string, string>;
  /** `--profile`: `profile: true` on every pgbouncer and proxy config (flame graphs). */
  profile?: boolean;
}

export function loadMatrix(file: string, overrides: MatrixOverrides = {}): Matrix {
  let text: string;
  try {
    // Only a regular file: opening a FIFO blocks the event loop until a writer comes (SIGTERM's
    // handler never runs), and a device (/dev/zero) or a directory never reads as a matrix.
    const kind = notRegularFile(statSync(file));
    if (kind) throw new ConfigurationError(`${file}: expected a regular matrix file, this is ${kind}`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof ConfigurationError) throw e;
    throw new ConfigurationError(
      `${file}: cannot read the matrix file (${(e as NodeJS.ErrnoException).code})`,
    );
  }
  return parseMatrix(text, file, overrides);
}

/** What a path is when it is not a regular file ("a FIFO", "a directory"), else undefined. */
function notRegularFile(st: Stats): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

export function parseMatrix(text: string, file: string, overrides: MatrixOverrides = {}): Matrix {
  const raw = parseYaml(text, file);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigurationError(`${file}: expected a YAML mapping with configs, workloads and concurrency`);
  }
  const input = applyOverrides(raw as Record<string, unknown>, overrides, file);
  const parsed = matrixSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => formatIssue(file, i));
    throw new ConfigurationError(lines[0] ?? `${file}: invalid matrix`, lines.slice(1));
  }
  const spec = expandAxes(parsed.data, file, overrides.configs);
  const dir = path.dirname(path.resolve(file));
  const workloads = spec.workloads.map((w) => resolveWorkload(w, dir, spec.tenants));
  workloads.forEach((w, i) => {
    const scripts = [
      ...w.scripts.map((s) => ({ s, field: `workloads[${i}].script` })),
      ...(w.mix ?? []).flatMap((g, j) =>
        g.workload.scripts.map((s) => ({ s, field: `workloads[${i}].mix[${j}].script` })),
      ),
    ];
    for (const { s, field } of scripts) {
      if (!existsSync(scriptFile(s))) {
        throw new ConfigurationError(
          `${file}: ${field}: expected an existing pgbench script file, ${scriptFile(s)} does not exist`,
        );
      }
    }
  });
  const variants = workloads.flatMap((w, i) => loadVariants(w, spec.workloads[i]));
  const clash = variants.find((w, i) => variants.findIndex((x) => x.name === w.name) !== i);
  if (clash) {
    throw new ConfigurationError(
      `${file}: workloads: expected unique workload names, "${clash.name}" is both a workload and a rate or segment of another`,
    );
  }
  return { spec, workloads: variants, file: path.resolve(file), hash: sha256(text), text };
}

/**
 * Aliases resolved per anchor, weighted by the aliases inside it (the yaml package's measure).
 * A matrix reuses an anchor a few times; nested aliases that go past this are a "billion laughs"
 * document whose expansion would exhaust memory (the yaml package's default, stated here on purpose).
 */
export const MAX_ALIAS_COUNT = 100;

/** YAML text to plain data; every failure is one ConfigurationError line naming file:line:col. */
function parseYaml(text: string, file: string): unknown {
  const lineCounter = new LineCounter();
  // logLevel 'error': the package would otherwise print warnings (e.g. a map used as a key) itself.
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, lineCounter, logLevel: 'error' });
  const e = doc.errors[0];
  if (e) throw new ConfigurationError(`${file}${where(e)}: malformed YAML: ${yamlMessage(e)}`);
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    throw aliasError(doc, lineCounter, file, err);
  }
}

function where(e: YAMLError): string {
  const at = e.linePos?.[0];
  return at ? `:${at.line}:${at.col}` : '';
}

/** The package's first line, without its own " at line L, column C:" (the prefix says where). */
function yamlMessage(e: YAMLError): string {
  if (e.code === 'MULTIPLE_DOCS') return 'expected one YAML document, found a second one (a --- separator)';
  if (e.code === 'RESOURCE_EXHAUSTION')
    return `expected nesting the parser can follow (${firstLine(e.message)})`;
  return firstLine(e.message);
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '').trim();
}

/** toJS throws only for aliases: one that expands too much, or one without an anchor before it. */
function aliasError(doc: Document, lines: LineCounter, file: string, err: unknown): ConfigurationError {
  const message = err instanceof Error ? err.message : String(err);
  const at = (offset: number | undefined) => {
    if (offset === undefined) return '';
    const p = lines.linePos(offset);
    return `:${p.line}:${p.col}`;
  };
  if (/excessive alias count/i.test(message)) {
    // Where: the first alias of an anchor that itself holds aliases, i.e. where nesting starts.
    const first = firstAlias(doc, (_alias, target) => target !== undefined && containsAlias(target));
    return new ConfigurationError(
      `${file}${at(first)}: malformed YAML: expected aliases (*name) that expand to a small document, these nested aliases expand past ${MAX_ALIAS_COUNT} (a "billion laughs" document)`,
    );
  }
  const unresolved = /^Unresolved alias.*: (.+)$/.exec(message)?.[1];
  if (unresolved !== undefined) {
    const first = firstAlias(doc, (alias, target) => alias.source === unresolved && target === undefined);
    return new ConfigurationError(
      `${file}${at(first)}: malformed YAML: expected an anchor &${unresolved} before the alias *${unresolved}`,
    );
  }
  return new ConfigurationError(`${file}: malformed YAML: ${firstLine(message)}`);
}

/**
 * Offset of the first alias for which `pick(alias, the node it refers to)` holds. One pass that
 * tracks anchors in document order (an alias refers to the last anchor of its name before it), as
 * Alias.resolve(doc) would, which re-walks the whole document per alias: quadratic on hostile input.
 */
function firstAlias(
  doc: Document,
  pick: (alias: Alias, target: Node | undefined) => boolean,
): number | undefined {
  const anchors = new Map<string, Node>();
  let offset: number | undefined;
  visit(doc, {
    Node(_k, node) {
      if (isAlias(node)) {
        if (pick(node, anchors.get(node.source))) {
          offset = node.range?.[0];
          return visit.BREAK;
        }
      } else if (node.anchor) {
        anchors.set(node.anchor, node);
      }
      return undefined;
    },
  });
  return offset;
}

/** Whether `node` holds an alias; memoized, as many aliases may refer to one anchor. */
const holdsAlias = new WeakMap<Node, boolean>();
function containsAlias(node: Node): boolean {
  if (!isCollection(node)) return false;
  let found = holdsAlias.get(node);
  if (found === undefined) {
    found = false;
    visit(node, {
      Alias() {
        found = true;
        return visit.BREAK;
      },
    });
    holdsAlias.set(node, found);
  }
  return found;
}

function formatIssue(file: string, issue: z.core.$ZodIssue): string {
  const inMix = mixIssueOf(issue);
  if (inMix) return formatIssue(file, inMix);
  const at = issue.path.length === 0 ? '(top level)' : formatPath(issue.path);
  let expected = issue.message;
  if (issue.code === 'unrecognized_keys')
    expected = `no key ${issue.keys.map((k) => `"${k}"`).join(', ')} here`;
  else if (issue.code === 'invalid_type') expected = `${issue.expected}${receivedOf(issue)}`;
  else if (issue.code === 'too_small' && issue.origin === 'array') expected = 'a non-empty list';
  else if (issue.code === 'too_small' && issue.origin === 'number')
    expected = `a number ${issue.inclusive ? '>=' : '>'} ${issue.minimum}`;
  else if (issue.code === 'invalid_value')
    expected = `one of ${issue.values.map((v) => String(v)).join(', ')}`;
  return `${file}: ${at}: expected ${expected}`;
}

/**
 * A workload that is neither a built-in name nor a valid object fails as a union; when what failed
 * is inside its `mix:` (a group without clients, say), the group's own issue, with its path, says
 * more than "expected a built-in workload name or an object".
 */
function mixIssueOf(issue: z.core.$ZodIssue): z.core.$ZodIssue | undefined {
  if (issue.code !== 'invalid_union') return undefined;
  for (const branch of issue.errors) {
    const inner = branch.find((i) => i.path[0] === 'mix');
    if (inner) return { ...inner, path: [...issue.path, ...inner.path] };
  }
  return undefined;
}

function receivedOf(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  if (input === undefined) return ' (missing)';
  return ` (got ${JSON.stringify(input)})`;
}

function formatPath(p: PropertyKey[]): string {
  return p.reduce<string>(
    (acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc === '' ? String(k) : `${acc}.${String(k)}`),
    '',
  );
}

function withoutOwnConcurrency(configs: unknown[]): unknown[] {
  return configs.map((c) => {
    if (c === null || typeof c !== 'object' || !('concurrency' in c)) return c;
    const { concurrency: _dropped, ...rest } = c as Record<string, unknown>;
    return rest;
  });
}

/** The configs `profile: true` applies to: those with a pooler or proxy bench starts. */
function withProfile(configs: unknown[]): unknown[] {
  return configs.map((c) => {
    if (c === null || typeof c !== 'object') return c;
    const kind = (c as { kind?: unknown }).kind;
    return kind === 'pgbouncer' || kind === 'proxy' ? { ...c, profile: true } : c;
  });
}

function applyOverrides(
  raw: Record<string, unknown>,
  o: MatrixOverrides,
  file: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  if (o.duration !== undefined) out.duration = o.duration;
  if (o.warmup !== undefined) out.warmup = o.warmup;
  if (o.reps !== undefined) out.reps = o.reps;
  if (o.scale !== undefined) out.scale = o.scale;
  if (o.concurrency !== undefined) out.concurrency = o.concurrency;
  if (o.provider !== undefined) out.provider = o.provider;
  if (o.images !== undefined) {
    const fromFile =
      raw.images !== null && typeof raw.images === 'object' ? (raw.images as Record<string, unknown>) : {};
    out.images = { ...fromFile, ...o.images };
  }
  if (o.configs !== undefined) out.configs = pick(raw.configs, o.configs, 'configs', file);
  // --concurrency is the whole list for a quick subset: a config's own list gives way to it too.
  if (o.concurrency !== undefined && Array.isArray(out.configs))
    out.configs = withoutOwnConcurrency(out.configs);
  if (o.profile && Array.isArray(out.configs)) out.configs = withProfile(out.configs);
  if (o.workloads !== undefined) out.workloads = pick(raw.workloads, o.workloads, 'workloads', file);
  // A baseline may name an expansion of an axis (`<name>-w1`, `<name>-prepared`): selecting `<name>` keeps it.
  const base = typeof out.baseline === 'string' ? out.baseline : undefined;
  const kept = (b: string) => o.configs?.some((n) => b === n || b.startsWith(`${n}-`));
  if (o.configs !== undefined && base !== undefined && !kept(base)) {
    // A subset without the baseline is a legitimate quick run; it just has nothing to compare with.
    delete out.baseline;
  }
  // Likewise a comparison of a config left out; the list goes when none is left.
  if (o.configs !== undefined && Array.isArray(out.compare)) {
    const pairs = out.compare.filter(
      (p) => !Array.isArray(p) || p.every((n) => typeof n !== 'string' || kept(n)),
    );
    if (pairs.length > 0) out.compare = pairs;
    else delete out.compare;
  }
  return out;
}

function pick(list: unknown, names: string[], field: string, file: string): unknown[] {
  if (!Array.isArray(list)) return [];
  const byName = new Map<string, unknown>();
  for (const item of list) {
    const n = typeof item === 'string' ? item : (item as { name?: unknown })?.name;
    if (typeof n === 'string') byName.set(n, item);
  }
  return names.map((n) => {
    const item = byName.get(n);
    if (item === undefined) {
      throw new ConfigurationError(
        `--${field}: expected names from ${file} (${[...byName.keys()].join(', ')}), got "${n}"`,
      );
    }
    return item;
  });
}
