import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type DirProbe, ensureResultsDir, pseudoFilesystem } from '../../src/results/dir.js';
import { tempDir } from '../helpers/tmp.js';

const EXT4 = 0xef53;
const TMPFS = 0x01021994;

/** A fake tree: directories with the f_type statfs reports for them; records every mkdir. */
function fakeProbe(dirs: Record<string, number>, opts: { files?: string[]; readOnly?: string[] } = {}) {
  const made: string[] = [];
  const probe: DirProbe = {
    kind: (p) => (p in dirs || made.includes(p) ? 'dir' : opts.files?.includes(p) ? 'other' : 'missing'),
    fsType: (p) => {
      const t = dirs[p];
      if (t === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return t;
    },
    notWritable: (p) => (opts.readOnly?.includes(p) ? 'EROFS' : undefined),
    mkdirp: (p) => void made.push(p),
  };
  return { probe, made };
}

describe('pseudoFilesystem', () => {
  it('knows the kernel pseudo filesystems by magic number and nothing else', () => {
    expect(pseudoFilesystem(0x9fa0)).toBe('proc');
    expect(pseudoFilesystem(0x62656572)).toBe('sysfs');
    expect(pseudoFilesystem(0x63677270)).toBe('cgroup2');
    expect(pseudoFilesystem(0x27e0eb)).toBe('cgroup');
    expect(pseudoFilesystem(0x1cd1)).toBe('devpts');
    expect(pseudoFilesystem(BigInt(0x9fa0))).toBe('proc');
    for (const regular of [
      EXT4,
      TMPFS,
      0x58465342 /* xfs */,
      0x9123683e /* btrfs */,
      0x794c7630 /* overlay */,
    ]) {
      expect(pseudoFilesystem(regular)).toBeUndefined();
    }
  });
});

describe('ensureResultsDir', () => {
  it('refuses a directory under /proc before any mkdir, naming the filesystem', () => {
    const { probe, made } = fakeProbe({ '/': EXT4, '/proc': 0x9fa0 });
    expect(() => ensureResultsDir('/proc/bench-results', probe)).toThrow(
      '/proc/bench-results: expected a writable results directory on a regular filesystem, /proc is a proc filesystem',
    );
    expect(made).toEqual([]);
  });

  it('refuses a cgroup hierarchy, where mkdir would create a cgroup', () => {
    const { probe, made } = fakeProbe({ '/': EXT4, '/sys': 0x62656572, '/sys/fs/cgroup/memory': 0x27e0eb });
    expect(() => ensureResultsDir('/sys/fs/cgroup/memory/a/b', probe)).toThrow(
      /\/sys\/fs\/cgroup\/memory is a cgroup filesystem$/,
    );
    expect(made).toEqual([]);
  });

  it('refuses a file on the way and a read-only ancestor', () => {
    const a = fakeProbe({ '/': EXT4, '/home': EXT4 }, { files: ['/home/notes'] });
    expect(() => ensureResultsDir('/home/notes/results', a.probe)).toThrow(
      /\/home\/notes is not a directory \(ENOTDIR\)$/,
    );
    const b = fakeProbe({ '/': EXT4, '/mnt/ro': EXT4 }, { readOnly: ['/mnt/ro'] });
    expect(() => ensureResultsDir('/mnt/ro/results', b.probe)).toThrow(
      /\/mnt\/ro is not writable \(EROFS\)$/,
    );
    expect([...a.made, ...b.made]).toEqual([]);
  });

  it('creates a missing directory on a regular filesystem and returns it absolute', () => {
    const { probe, made } = fakeProbe({ '/': EXT4, '/srv': EXT4, '/dev/shm': TMPFS });
    expect(ensureResultsDir('/srv/a/b/results', probe)).toBe('/srv/a/b/results');
    expect(ensureResultsDir('/dev/shm/results', probe)).toBe('/dev/shm/results');
    expect(made).toEqual(['/srv/a/b/results', '/dev/shm/results']);
    expect(ensureResultsDir('results', probe)).toBe(path.resolve('results'));
  });

  it('leaves an existing writable directory alone', () => {
    const { probe, made } = fakeProbe({ '/': EXT4, '/srv/results': EXT4 });
    expect(ensureResultsDir('/srv/results', probe)).toBe('/srv/results');
    expect(made).toEqual([]);
  });

  it('on the real machine: /proc fails at once, a temp dir is created', () => {
    const t0 = Date.now();
    expect(() => ensureResultsDir('/proc/bench-results')).toThrow(/\/proc is a proc filesystem$/);
    expect(() => ensureResultsDir('/sys/bench-results')).toThrow(/\/sys is a sysfs filesystem$/);
    expect(Date.now() - t0).toBeLessThan(1000);
    const tmp = tempDir('bench-dir-');
    expect(ensureResultsDir(path.join(tmp, 'x', 'y'))).toBe(path.join(tmp, 'x', 'y'));
    expect(existsSync(path.join(tmp, 'x', 'y'))).toBe(true);
    writeFileSync(path.join(tmp, 'f'), '');
    expect(() => ensureResultsDir(path.join(tmp, 'f', 'r'))).toThrow(/\/f is not a directory \(ENOTDIR\)$/);
  });
});
