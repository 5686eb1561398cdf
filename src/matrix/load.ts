import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigurationError } from '../errors.js';
import { sha256 } from '../util/hash.js';
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
}

export function loadMatrix(file: string, overrides: MatrixOverrides = {}): Matrix {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigurationError(
      `${file}: cannot read the matrix file (${(e as NodeJS.ErrnoException).code})`,
    );
  }
  return parseMatrix(text, file, overrides);
}

export function parseMatrix(text: string, file: string, overrides: MatrixOverrides = {}): Matrix {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const where = e?.linePos?.[0] ? `:${e.linePos[0].line}:${e.linePos[0].col}` : '';
    throw new ConfigurationError(
      `${file}${where}: malformed YAML: ${e?.message.split('\n')[0] ?? 'parse error'}`,
    );
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigurationError(`${file}: expected a YAML mapping with configs, workloads and concurrency`);
  }
  const input = applyOverrides(raw as Record<string, unknown>, overrides, file);
  const parsed = matrixSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => formatIssue(file, i));
    throw new ConfigurationError(lines[0] ?? `${file}: invalid matrix`, lines.slice(1));
  }
  const spec = parsed.data;
  const dir = path.dirname(path.resolve(file));
  const workloads = spec.workloads.map((w) => resolveWorkload(w, dir));
  workloads.forEach((w, i) => {
    for (const s of w.scripts) {
      if (!existsSync(scriptFile(s))) {
        throw new ConfigurationError(
          `${file}: workloads[${i}].script: expected an existing pgbench script file, ${scriptFile(s)} does not exist`,
        );
      }
    }
  });
  return { spec, workloads, file: path.resolve(file), hash: sha256(text), text };
}

function formatIssue(file: string, issue: z.core.$ZodIssue): string {
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
  if (o.workloads !== undefined) out.workloads = pick(raw.workloads, o.workloads, 'workloads', file);
  if (o.configs !== undefined && typeof out.baseline === 'string' && !o.configs.includes(out.baseline)) {
    // A subset without the baseline is a legitimate quick run; it just has nothing to compare with.
    delete out.baseline;
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
