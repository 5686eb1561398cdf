import { describe, expect, it } from 'vitest';
import { splitCommandWords } from '../../src/matrix/command-words.js';
import { parseMatrix } from '../../src/matrix/load.js';
import { renderProxyCommand } from '../../src/stack/render.js';

function words(text: string): string[] {
  const r = splitCommandWords(text);
  if (!r.ok) throw new Error(r.error);
  return r.words;
}

function error(text: string): string {
  const r = splitCommandWords(text);
  if (r.ok) throw new Error(`expected a refusal, got ${JSON.stringify(r.words)}`);
  return r.error;
}

describe('splitCommandWords (as sh splits, without a shell)', () => {
  it('splits on runs of blanks, tabs and newlines', () => {
    expect(words('  my-proxy   --port {port}\t--x\n y ')).toEqual([
      'my-proxy',
      '--port',
      '{port}',
      '--x',
      'y',
    ]);
  });

  it("keeps a single-quoted word whole, as sh -c 'exec ...' needs", () => {
    expect(words("sh -c 'exec my-proxy --port {port}'")).toEqual(['sh', '-c', 'exec my-proxy --port {port}']);
    // Inside single quotes everything is literal, shell syntax included.
    expect(words("sh -c 'a | b; echo $HOME \\n'")).toEqual(['sh', '-c', 'a | b; echo $HOME \\n']);
  });

  it('joins quoted and unquoted parts of one word, and keeps an empty quoted word', () => {
    expect(words(`--name="a b"'c d'e`)).toEqual(['--name=a bc de']);
    expect(words(`x '' ""`)).toEqual(['x', '', '']);
  });

  it('a backslash escapes the next character outside quotes; backslash-newline continues the line', () => {
    expect(words('a\\ b c\\\\d \\|')).toEqual(['a b', 'c\\d', '|']);
    expect(words('a \\\nb')).toEqual(['a', 'b']);
  });

  it('inside double quotes a backslash escapes only $ ` " \\ and newline', () => {
    expect(words('"a\\"b" "c\\$d" "e\\nf" "g\\\\h"')).toEqual(['a"b', 'c$d', 'e\\nf', 'g\\h']);
  });

  it('refuses unterminated quotes and a trailing backslash', () => {
    expect(error("sh -c 'exec x")).toBe('an unterminated single quote at character 7');
    expect(error('say "hi')).toBe('an unterminated double quote at character 5');
    expect(error('x \\')).toBe('a backslash at the end with nothing to escape');
  });

  it('refuses what only a shell would interpret, pointing at the list form', () => {
    for (const [text, c] of [
      ['a | b', '|'],
      ['a; b', ';'],
      ['a > log', '>'],
      ['a && b', '&'],
      ['x $PORT', '$'],
      ['x `id`', '`'],
      ['x *.conf', '*'],
      ['x ~/conf', '~'],
      ['x # note', '#'],
    ] as const) {
      expect(error(text), text).toMatch(
        new RegExp(
          `^"\\${c}" at character \\d+ is shell syntax, and no shell runs the command: .*\\["sh", "-c", "\\.\\.\\."\\]`,
        ),
      );
    }
    expect(error('x "$PORT"')).toMatch(/^"\$" at character 4 is a shell expansion inside double quotes/);
  });

  it('a # or ~ inside a word is an ordinary character, as in sh', () => {
    expect(words('x a#b c~d')).toEqual(['x', 'a#b', 'c~d']);
  });

  it('refuses a command of blanks only', () => {
    expect(error('   ')).toBe('no words');
  });
});

describe('a string proxy command in a matrix', () => {
  const matrix = (command: string) => `
concurrency: [1]
configs:
  - { name: p, kind: proxy, command: ${JSON.stringify(command)} }
workloads: [readonly]
`;

  it('is rendered word by word: placeholders are substituted inside a quoted word', () => {
    const m = parseMatrix(matrix("sh -c 'exec my-proxy --port {port} --dir {workdir}'"), 'm.yaml');
    const config = m.spec.configs[0];
    if (config?.kind !== 'proxy' || config.command === undefined) throw new Error('expected a proxy');
    const values = {
      port: 6433,
      host: '127.0.0.1',
      upstream_host: '127.0.0.1',
      upstream_port: 5432,
      database: 'bench',
      user: 'bench_p',
      workdir: '/tmp/a dir',
      matrix_dir: '/m',
    };
    expect(renderProxyCommand(config.command, values)).toEqual([
      'sh',
      '-c',
      'exec my-proxy --port 6433 --dir /tmp/a dir',
    ]);
    expect(renderProxyCommand('my-proxy --dir {workdir} --port {port}', values)).toEqual([
      'my-proxy',
      '--dir',
      '/tmp/a dir',
      '--port',
      '6433',
    ]);
  });

  it('with shell syntax is refused at validation, naming the field', () => {
    expect(() => parseMatrix(matrix('my-proxy --port {port} > proxy.log'), 'm.yaml')).toThrow(
      /^m\.yaml: configs\[0\]\.command: expected a command split into words as a shell would, without a shell: ">" at character 24 is shell syntax/,
    );
    expect(() => parseMatrix(matrix("sh -c 'exec my-proxy --port {port}"), 'm.yaml')).toThrow(
      /configs\[0\]\.command: .*an unterminated single quote at character 7/,
    );
  });
});
