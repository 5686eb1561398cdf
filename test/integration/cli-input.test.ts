import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bench, processesMentioning, tempResults, writeMatrix } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('bench-input-');
const ok = `duration: 1s
concurrency: [1]
configs:
  - { name: direct, kind: direct }
workloads: [readonly]
`;

/** Bad input: one ERROR line naming the file, the field and what was expected; exit 2; nothing written. */
async function expectRejected(args: string[], message: RegExp) {
  const results = tempResults();
  const r = await bench([...args, '--results-dir', results], { timeout: 30_000 });
  expect(r.exitCode, String(r.all)).toBe(2);
  const errors = String(r.stderr)
    .split('\n')
    .filter((l) => l.startsWith('ERROR:'));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(message);
  // Bad input is a known error: one line, never a stack trace.
  expect(String(r.stderr)).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(readdirSync(results)).toEqual([]);
}

/** Nested anchors, each level nine aliases of the one before: 9^9 nodes once expanded. */
function aliasBomb(): string {
  const lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  const names = 'abcdefghi';
  for (let l = 1; l < names.length; l++) {
    lines.push(
      `${names[l]}: &${names[l]} [${Array(9)
        .fill(`*${names[l - 1]}`)
        .join(', ')}]`,
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('bad input to bench run', () => {
  /** [what, the matrix file name (the message must name it), its text, the expected message] */
  const cases: Array<[string, string, string, RegExp]> = [
    ['malformed YAML', 'malformed.yaml', 'configs: [\n', /malformed\.yaml:\d+:\d+: malformed YAML/],
    [
      'an unknown key',
      'unknown-key.yaml',
      `${ok}durration: 5s\n`,
      /unknown-key\.yaml: \(top level\): expected no key "durration"/,
    ],
    ['a wrong type', 'wrong-type.yaml', `${ok}reps: many\n`, /wrong-type\.yaml: reps: expected number/],
    [
      'an empty concurrency',
      'empty-concurrency.yaml',
      ok.replace('[1]', '[]'),
      /empty-concurrency\.yaml: concurrency: expected a non-empty list/,
    ],
    [
      'a negative scale',
      'negative-scale.yaml',
      `${ok}scale: -1\n`,
      /negative-scale\.yaml: scale: expected a number > 0/,
    ],
    [
      'a duplicate name',
      'duplicate-name.yaml',
      ok.replace('kind: direct }', 'kind: direct }\n  - { name: direct, kind: pgbouncer }'),
      /duplicate-name\.yaml: configs\[1\]\.name: expected a unique config name/,
    ],
    [
      'a comparison of a config the matrix does not have',
      'unknown-compare.yaml',
      `${ok}compare: [[direct, pgbouncer-tx]]\n`,
      /unknown-compare\.yaml: compare\[0\]\[1\]: expected the name of a config \(one of direct\)/,
    ],
    [
      'an unknown workload',
      'unknown-workload.yaml',
      ok.replace('[readonly]', '[writeonly]'),
      /unknown-workload\.yaml: workloads\[0\]: expected a built-in workload name/,
    ],
    [
      'an unknown config kind',
      'unknown-config-kind.yaml',
      ok.replace('kind: direct', 'kind: odyssey'),
      /unknown-config-kind\.yaml: configs\[0\](\.kind)?: expected a config kind/,
    ],
    [
      'a missing custom script',
      'missing-custom-script.yaml',
      ok.replace('[readonly]', '[{ name: web, script: missing.sql }]'),
      /missing-custom-script\.yaml: workloads\[0\]\.script: expected an existing pgbench script file/,
    ],
    [
      'a proxy without {port}',
      'proxy-without-port.yaml',
      ok.replace(
        'kind: direct }',
        'kind: direct }\n  - { name: p, kind: proxy, command: "socat TCP-LISTEN:7000 TCP:127.0.0.1:{upstream_port}" }',
      ),
      /proxy-without-port\.yaml: configs\[1\]\.command: expected a command (\(or one of its files\) )?that contains the \{port\} placeholder/,
    ],
    [
      'shell syntax in a string proxy command',
      'shell-syntax.yaml',
      ok.replace(
        'kind: direct }',
        'kind: direct }\n  - { name: p, kind: proxy, command: "my-proxy --port {port} | tee log" }',
      ),
      /shell-syntax\.yaml: configs\[1\]\.command: expected a command split into words as a shell would, without a shell: "\|" at character 24 is shell syntax, .*\["sh", "-c", "\.\.\."\]\)$/,
    ],
    [
      'a harness-owned pgbouncer setting',
      'owned-setting.yaml',
      ok.replace('kind: direct }', 'kind: pgbouncer, settings: { listen_addr: "0.0.0.0" } }'),
      /owned-setting\.yaml: configs\[0\]\.settings\.listen_addr: expected a pgbouncer\.ini setting the harness does not own/,
    ],
    [
      'both pool topologies on one config',
      'two-topologies.yaml',
      ok.replace('kind: direct }', 'kind: pgbouncer, pool_per_group: true, pgbouncer_per_group: true }'),
      /two-topologies\.yaml: configs\[0\]\.pgbouncer_per_group: expected one pool topology per config, not both/,
    ],
    [
      "a config whose role reads as another config's tenant role",
      'role-collision.yaml',
      ok.replace('kind: direct }', 'kind: direct }\n  - { name: direct_r1, kind: direct }'),
      /role-collision\.yaml: configs\[1\]\.name: expected a config name whose roles no other config's read as: role bench_direct_r1 of config direct_r1/,
    ],
  ];
  for (const [what, file, text, re] of cases) {
    it(`rejects ${what}`, async () => {
      await expectRejected(['run', writeMatrix(dir, file, text), '--provider', 'native'], re);
    });
  }

  it('rejects a matrix file that does not exist', async () => {
    await expectRejected(
      ['run', path.join(dir, 'nope.yaml')],
      /nope\.yaml: cannot read the matrix file \(ENOENT\)/,
    );
  });

  // Opening a FIFO blocks until a writer comes: the run hung forever, deaf to SIGTERM.
  it('refuses a FIFO as the matrix file at once', async () => {
    const fifo = path.join(dir, 'matrix.fifo');
    execFileSync('mkfifo', [fifo]);
    const t0 = Date.now();
    await expectRejected(
      ['run', fifo, '--provider', 'native'],
      /^ERROR: .*matrix\.fifo: expected a regular matrix file, this is a FIFO \(named pipe\)$/,
    );
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('refuses a directory as the matrix file', async () => {
    await expectRejected(['run', dir], /^ERROR: .*: expected a regular matrix file, this is a directory$/);
  });

  it('rejects an unknown config in --configs', async () => {
    await expectRejected(
      ['run', writeMatrix(dir, 'ok.yaml', ok), '--configs', 'direct,pgcat'],
      /--configs: expected names from .*ok\.yaml \(direct\), got "pgcat"/,
    );
  });

  it('rejects a bad --concurrency value', async () => {
    const r = await bench(['run', writeMatrix(dir, 'ok.yaml', ok), '--concurrency', '1,zero']);
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toMatch(/expected positive integers, got "zero"/);
  });

  it('rejects an unknown provider, an unknown command and a bad environment override with exit 2', async () => {
    const file = writeMatrix(dir, 'ok.yaml', ok);
    expect((await bench(['run', file, '--provider', 'kubernetes'])).exitCode).toBe(2);
    expect((await bench(['benchmark', file])).exitCode).toBe(2);
    const env = await bench(['run', file], { env: { BENCH_REPS: 'many' } });
    expect(env.exitCode).toBe(2);
    expect(String(env.stderr)).toMatch(/expected a positive integer, got "many"/);
  });

  describe('a port that is taken', () => {
    const server = net.createServer();
    let port = 0;
    beforeAll(async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as net.AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
    it('is refused before anything starts', async () => {
      const file = writeMatrix(
        dir,
        'port.yaml',
        ok.replace('kind: direct }', `kind: direct }\n  - { name: tx, kind: pgbouncer, port: ${port} }`),
      );
      await expectRejected(
        ['run', file, '--provider', 'native'],
        new RegExp(
          `port\\.yaml: configs\\[1\\]\\.port: expected a free port on 127\\.0\\.0\\.1, ${port} is already in use`,
        ),
      );
    });
  });

  it('rejects an unwritable results directory', async () => {
    const file = path.join(dir, 'a-file');
    writeFileSync(file, 'not a directory');
    const r = await bench([
      'run',
      writeMatrix(dir, 'ok.yaml', ok),
      '--provider',
      'native',
      '--results-dir',
      path.join(file, 'results'),
    ]);
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toMatch(
      /ERROR: .*a-file\/results: expected a writable results directory on a regular filesystem, .*a-file is not a directory \(ENOTDIR\)/,
    );
  });

  it('refuses a "billion laughs" alias bomb at once, in one line', async () => {
    const t0 = Date.now();
    await expectRejected(
      ['run', writeMatrix(dir, 'bomb.yaml', `${ok}${aliasBomb()}`), '--provider', 'native'],
      /^ERROR: .*bomb\.yaml:\d+:\d+: malformed YAML: expected aliases \(\*name\) that expand to a small document/,
    );
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  // Node's recursive mkdir never returns under /proc: this hung, spinning a core, before the check.
  it('refuses a results directory on /proc within a second or two', async () => {
    const target = `/proc/bench-results-${process.pid}`;
    const t0 = Date.now();
    const r = await bench(
      ['run', writeMatrix(dir, 'ok.yaml', ok), '--provider', 'native', '--results-dir', target],
      { timeout: 20_000 },
    );
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.exitCode, String(r.all)).toBe(2);
    const errors = String(r.stderr)
      .split('\n')
      .filter((l) => l.startsWith('ERROR:'));
    expect(errors).toEqual([
      `ERROR: ${target}: expected a writable results directory on a regular filesystem, /proc is a proc filesystem`,
    ]);
    expect(existsSync(target)).toBe(false);
  });

  it('refuses summarize and compare output directories on /proc at once', async () => {
    const run = path.resolve('test/fixtures/runs/three-reps');
    const target = `/proc/bench-out-${process.pid}`;
    for (const argv of [
      ['summarize', run, '--out', target],
      ['compare', run, run, '--out', target, '--allow-inconclusive'],
    ]) {
      const t0 = Date.now();
      const r = await bench(argv, { timeout: 20_000 });
      expect(Date.now() - t0, argv[0]).toBeLessThan(5000);
      expect(r.exitCode, String(r.all)).toBe(2);
      expect(String(r.stderr)).toContain(
        `ERROR: ${target}: expected a writable results directory on a regular filesystem`,
      );
      expect(existsSync(target)).toBe(false);
    }
  });

  it('refuses concurrency [100000] before anything starts, naming the field and the limit', async () => {
    // The run's scratch dir (PostgreSQL's data directory among it) goes under TMPDIR: it must stay
    // empty, and no process may mention it.
    const tmp = tempDir('bench-limits-');
    // Traversable by the postgres user (run as root, PostgreSQL runs as postgres), so that only the
    // limit check, not a permission error, can stop the stack from starting.
    chmodSync(tmp, 0o755);
    const results = tempResults();
    const t0 = Date.now();
    const r = await bench(
      [
        'run',
        writeMatrix(dir, 'many-clients.yaml', ok.replace('[1]', '[1, 100000]')),
        '--provider',
        'native',
        '--results-dir',
        results,
      ],
      { timeout: 60_000, env: { TMPDIR: tmp } },
    );
    const took = Date.now() - t0;
    expect(r.exitCode, String(r.all)).toBe(2);
    const errors = String(r.stderr)
      .split('\n')
      .filter((l) => l.startsWith('ERROR:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^ERROR: .*many-clients\.yaml: concurrency\[1\]: expected at most \d+ clients on this machine: /,
    );
    expect(took).toBeLessThan(5000);
    expect(processesMentioning(tmp)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
    expect(readdirSync(results)).toEqual([]);
    rmdirSync(tmp);
  });
});

describe('bad flags', () => {
  // Each printed the whole help (36 lines for run) after the error; one line says what was wrong.
  const cases: Array<[string[], RegExp, string]> = [
    [
      ['run', 'm.yaml', '--reps', '0'],
      /^ERROR: option '--reps <n>' argument '0' is invalid\. expected a positive integer/,
      'run',
    ],
    [['run', 'm.yaml', '--bogus'], /^ERROR: unknown option '--bogus'$/, 'run'],
    [['run'], /^ERROR: missing required argument 'matrix'$/, 'run'],
    [
      ['run', 'm.yaml', '--shard', '3/2'],
      /^ERROR: option '--shard <i\/N>' argument '3\/2' is invalid/,
      'run',
    ],
    [['summarize', 'x', '--nope'], /^ERROR: unknown option '--nope'$/, 'summarize'],
    [
      ['compare', 'x', '--alpha', '2'],
      /^ERROR: option '--alpha <p>' argument '2' is invalid\. expected a fraction/,
      'compare',
    ],
    [
      ['doctor', '--provider', 'k8s'],
      /^ERROR: option '--provider <p>' argument 'k8s' is invalid\. Allowed choices/,
      'doctor',
    ],
    [['clean', '--nope'], /^ERROR: unknown option '--nope'$/, 'clean'],
  ];
  for (const [argv, re, command] of cases) {
    it(`bench ${argv.join(' ')}: one ERROR line and where the help is, exit 2`, async () => {
      const r = await bench(argv, { timeout: 30_000 });
      expect(r.exitCode, String(r.all)).toBe(2);
      const lines = String(r.stderr).trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(re);
      expect(lines[1]).toBe(`see bench ${command} --help`);
      expect(String(r.stdout)).toBe('');
    });
  }

  it('an unknown command points at the top-level help; --help still exits 0', async () => {
    const r = await bench(['benchmark', 'm.yaml']);
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr).trimEnd().split('\n')).toEqual([
      "ERROR: unknown command 'benchmark'",
      'see bench --help',
    ]);
    const help = await bench(['run', '--help']);
    expect(help.exitCode).toBe(0);
    expect(String(help.stdout)).toMatch(/^Usage: bench run \[options\] <matrix>/);
  });
});

describe('bad input to bench summarize', () => {
  it('refuses a directory that holds no results', async () => {
    const empty = tempDir('bench-empty-');
    const r = await bench(['summarize', empty]);
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toMatch(
      /^ERROR: .*bench-empty-\w+: expected a bench run directory containing run\.json, found none/m,
    );
    expect(readdirSync(empty)).toEqual([]);
  });

  it("refuses another tool's files", async () => {
    const other = tempDir('bench-other-');
    writeFileSync(path.join(other, 'run.json'), JSON.stringify({ benchmarks: [] }));
    const r = await bench(['summarize', other]);
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toMatch(
      /run\.json: expected a run\.json written by bench run, this one is another tool's/,
    );
    expect(readdirSync(other)).toEqual(['run.json']);
  });

  it('refuses a directory that does not exist', async () => {
    const r = await bench(['summarize', '/nonexistent/run']);
    expect(r.exitCode).toBe(2);
    expect(String(r.stderr)).toMatch(/\/nonexistent\/run: expected a run directory/);
  });
});

describe('a missing tool', () => {
  it('--provider testcontainers without a Docker engine exits 3 with the install command, before anything starts', async () => {
    const results = tempResults();
    const r = await bench(
      ['run', writeMatrix(dir, 'ok.yaml', ok), '--provider', 'testcontainers', '--results-dir', results],
      {
        env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
      },
    );
    expect(r.exitCode, String(r.all)).toBe(3);
    expect(String(r.stderr)).toMatch(
      /ERROR: a Docker engine for --provider testcontainers .* was not found\. Install it with: apt-get install -y docker\.io/,
    );
    expect(readdirSync(results)).toEqual([]);
  });
});
