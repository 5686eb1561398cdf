/**
 * The few lines of ustar the container provider needs: files copied into a container with an owner
 * (Docker keeps a tar entry's uid/gid when it extracts; testcontainers' own copy makes everything
 * root's), and reading the one file `getArchive` returns. Pure.
 */

export interface TarEntry {
  /** Relative path inside the archive, e.g. `tmp/bench/tls/server.key`; a directory ends with `/`. */
  name: string;
  mode: number;
  content?: string;
}

const BLOCK = 512;

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

function header(e: TarEntry, size: number, uid: number, gid: number): Buffer {
  if (Buffer.byteLength(e.name) > 99) throw new Error(`tar entry name too long: ${e.name}`);
  const h = Buffer.alloc(BLOCK);
  const dir = e.name.endsWith('/');
  h.write(e.name, 0, 'utf8');
  h.write(octal(e.mode & 0o7777, 8), 100, 'ascii');
  h.write(octal(uid, 8), 108, 'ascii');
  h.write(octal(gid, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.floor(Date.now() / 1000), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(dir ? '5' : '0', 156, 'ascii');
  h.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/** A tar of `entries`, every one owned by uid:gid. */
export function tarOf(entries: TarEntry[], uid: number, gid: number): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.content ?? '', 'utf8');
    parts.push(header(e, body.length, uid, gid), body);
    const pad = (BLOCK - (body.length % BLOCK)) % BLOCK;
    if (pad > 0) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/** The content of the first file in a tar (Docker's getArchive of one file). */
export function firstTarFile(tar: Buffer): string {
  const size = Number.parseInt(tar.subarray(124, 136).toString('ascii').replace(/\0.*$/s, '').trim(), 8);
  if (!Number.isFinite(size)) throw new Error('not a tar archive');
  return tar.subarray(BLOCK, BLOCK + size).toString('utf8');
}

/** uid and gid of `user` (a name from /etc/passwd, or `uid[:gid]`). */
export function passwdIds(passwd: string, user: string): { uid: number; gid: number } | undefined {
  const numeric = /^(\d+)(?::(\d+))?$/.exec(user);
  if (numeric) return { uid: Number(numeric[1]), gid: Number(numeric[2] ?? numeric[1]) };
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === user && uid !== undefined && gid !== undefined)
      return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}
