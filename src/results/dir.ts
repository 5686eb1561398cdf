import { accessSync, constants, mkdirSync, statfsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigurationError } from '../errors.js';

/**
 * Kernel pseudo filesystems by statfs f_type (linux/magic.h). Node's recursive mkdir never returns
 * under /proc (it spins a core), and under /sys/fs/cgroup a mkdir creates a cgroup: none of them
 * can hold results, so they are refused before anything is created.
 */
export const PSEUDO_FILESYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x73636673, 'securityfs'],
  [0x74726163, 'tracefs'],
  [0x6165676c, 'pstore'],
  [0xcafe4a11, 'bpf'],
  [0x62656570, 'configfs'],
  [0x65735543, 'fusectl'],
  [0x19800202, 'mqueue'],
  [0xde5e81e4, 'efivarfs'],
  [0xf97cff8c, 'selinuxfs'],
  [0x43415d53, 'smackfs'],
  [0x42494e4d, 'binfmt_misc'],
  [0x958458f6, 'hugetlbfs'],
  [0x6e736673, 'nsfs'],
  [0x67596969, 'rpc_pipefs'],
  [0x6e667364, 'nfsd'],
]);

/** The pseudo filesystem a statfs f_type denotes, if it is one. */
export function pseudoFilesystem(type: number | bigint): string | undefined {
  return PSEUDO_FILESYSTEMS.get(Number(type));
}

/** The file system calls the check needs; injected in tests. */
export interface DirProbe {
  /** 'missing' when nothing is there (ENOENT, ENOTDIR); other errors (EACCES...) are thrown. */
  kind(p: string): 'dir' | 'other' | 'missing';
  fsType(p: string): number | bigint;
  /** Why `p` does not take new entries (an errno code such as EACCES or EROFS), or undefined. */
  notWritable(p: string): string | undefined;
  mkdirp(p: string): void;
}

export const realProbe: DirProbe = {
  kind(p) {
    try {
      return statSync(p).isDirectory() ? 'dir' : 'other';
    } catch (e) {
      // ENOTDIR: a file on the way; walking up finds it and names it.
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
      throw e;
    }
  },
  fsType: (p) => statfsSync(p).type,
  notWritable(p) {
    try {
      accessSync(p, constants.W_OK | constants.X_OK);
      return undefined;
    } catch (e) {
      return errCode(e);
    }
  },
  mkdirp: (p) => void mkdirSync(p, { recursive: true }),
};

/**
 * Makes `dir` (mkdir -p) and returns it absolute, or throws one ConfigurationError line saying why
 * it cannot hold results. Everything is checked on the nearest existing ancestor before any mkdir.
 */
export function ensureResultsDir(dir: string, probe: DirProbe = realProbe): string {
  const abs = path.resolve(dir);
  const fail = (why: string) =>
    new ConfigurationError(`${abs}: expected a writable results directory on a regular filesystem, ${why}`);
  let existing = abs;
  try {
    for (;;) {
      const kind = probe.kind(existing);
      if (kind === 'dir') break;
      if (kind === 'other') throw fail(`${existing} is not a directory (ENOTDIR)`);
      const parent = path.dirname(existing);
      // The root always exists; reaching it missing means the probe lies, not an endless walk.
      if (parent === existing) throw fail(`${existing} does not exist`);
      existing = parent;
    }
  } catch (e) {
    if (e instanceof ConfigurationError) throw e;
    throw fail(`${existing} cannot be examined (${errCode(e)})`);
  }
  let type: number | bigint;
  try {
    type = probe.fsType(existing);
  } catch (e) {
    throw fail(`${existing} cannot be examined (${errCode(e)})`);
  }
  const pseudo = pseudoFilesystem(type);
  if (pseudo) throw fail(`${existing} is a ${pseudo} filesystem`);
  const denied = probe.notWritable(existing);
  if (denied) throw fail(`${existing} is not writable (${denied})`);
  if (existing === abs) return abs;
  try {
    probe.mkdirp(abs);
  } catch (e) {
    throw fail(`it cannot be created (${errCode(e)})`);
  }
  const deniedNow = probe.notWritable(abs);
  if (deniedNow) throw fail(`${abs} is not writable (${deniedNow})`);
  return abs;
}

function errCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
}
