import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

/**
 * The package as npm ships it: `npm pack`, then a global install of the tarball into a throwaway
 * prefix, then the installed `bench` run the way a user runs it. Dependencies come from the
 * registry (or npm's cache: --prefer-offline).
 *
 * `--ignore-scripts` skips prepack (clean + build): the suite runs after `npm run build`
 * (scripts/test.sh, npm test), and cleaning dist here would pull it from under the other tests.
 */
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: { bench: string };
};
// Children find this Node (>= 22) first, whatever the machine's own node is: the installed bin
// starts with `#!/usr/bin/env node`.
const env = { PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}` };

let tmp = '';
let tarball = '';
let files: string[] = [];

beforeAll(async () => {
  if (!existsSync(path.join(ROOT, 'dist/src/cli.js')))
    throw new Error('dist/src/cli.js is missing: run npm run build first');
  tmp = tempDir('bench-pack-');
  const r = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], {
    cwd: ROOT,
    env,
  });
  const [info] = JSON.parse(r.stdout) as { filename: string; files: { path: string }[] }[];
  if (!info) throw new Error(`npm pack printed no package: ${r.stdout}`);
  tarball = path.join(tmp, info.filename);
  files = info.files.map((f) => f.path);
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('npm package', () => {
  it('ships the built CLI, the licence and the example matrices, and no sources, tests or CI', () => {
    expect(files).toContain(pkg.bin.bench);
    expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
    expect(files).toContain('matrices/smoke.yaml');
    // The shipped matrices point editors at ../docs/matrix.schema.json.
    expect(files).toContain('docs/matrix.schema.json');
    const unexpected = files.filter(
      (f) =>
        !/^dist\/(src|summarize)\/.+\.js$/.test(f) &&
        !f.startsWith('matrices/') &&
        !['LICENSE', 'README.md', 'package.json', 'docs/matrix.schema.json'].includes(f),
    );
    expect(unexpected).toEqual([]);
    expect(files.some((f) => f.endsWith('.ts') || f.endsWith('.map'))).toBe(false);
  });

  it('installs from the tarball and runs: --version and doctor', async () => {
    const prefix = path.join(tmp, 'prefix');
    await execa(
      'npm',
      [
        'install',
        '-g',
        '--prefix',
        prefix,
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        tarball,
      ],
      { cwd: tmp, env },
    );
    const installed = path.join(prefix, 'lib/node_modules', pkg.name);
    expect(readFileSync(path.join(installed, pkg.bin.bench), 'utf8').split('\n')[0]).toBe(
      '#!/usr/bin/env node',
    );
    const bin = path.join(prefix, 'bin', 'bench');
    // Outside the repository, so nothing can come from the checkout.
    const version = await execa(bin, ['--version'], { cwd: tmp, env });
    expect(version.stdout.trim()).toBe(pkg.version);

    const doctor = await execa(bin, ['doctor'], { cwd: tmp, env, reject: false, all: true });
    const out = String(doctor.all);
    // Exit 3 exactly when a required tool is missing (marked MISS), 0 otherwise: which one depends
    // on the machine, the agreement between them does not.
    expect([0, 3], out).toContain(doctor.exitCode);
    expect(doctor.exitCode === 3, out).toBe(out.includes('[MISS]'));
    // One line per tool (pgbouncer is `no` when postgres or pgbench is missing: not looked for).
    for (const tool of ['node', 'postgres', 'pgbench', 'pgbouncer'])
      expect(out, out).toMatch(new RegExp(`^\\[(ok  |MISS|no  )\\] ${tool} `, 'm'));
  });
});
