import path from 'node:path';
import type { ContainerRuntimeClient } from 'testcontainers';
import { firstTarFile, passwdIds, type TarEntry, tarOf } from './tar.js';

/** Files that must belong to the server's user inside the container (a TLS key PostgreSQL accepts only at 0600). */
export interface OwnedFiles {
  /** The user the server runs as, by name (looked up in the image's /etc/passwd) or `uid[:gid]`. */
  user: string;
  files: Array<{ content: string; target: string; mode: number }>;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c));
  return Buffer.concat(chunks);
}

/** The tar entries for `files`, with their parent directories (0700) so nothing is created root-owned. */
export function ownedEntries(files: OwnedFiles['files']): TarEntry[] {
  const dirs = [...new Set(files.map((f) => path.posix.dirname(f.target)))].sort();
  return [
    ...dirs.map((d) => ({ name: `${d.replace(/^\//, '')}/`, mode: 0o700 })),
    ...files.map((f) => ({ name: f.target.replace(/^\//, ''), mode: f.mode, content: f.content })),
  ];
}

/**
 * Copies files into a created (not yet started) container, owned by the server's user: Docker keeps
 * the uid/gid of the archive's entries, and the user's ids come from the container's own
 * /etc/passwd, so the key is 0600 and readable by the server whatever uid the image gives it.
 */
export async function copyOwnedFiles(
  client: ContainerRuntimeClient,
  id: string,
  owned: OwnedFiles,
): Promise<void> {
  const container = client.container.dockerode.getContainer(id);
  let passwd = '';
  if (!/^\d+(:\d+)?$/.test(owned.user)) {
    passwd = firstTarFile(await readAll(await container.getArchive({ path: '/etc/passwd' })));
  }
  const ids = passwdIds(passwd, owned.user);
  if (!ids) throw new Error(`user "${owned.user}" is not in the image's /etc/passwd`);
  await container.putArchive(tarOf(ownedEntries(owned.files), ids.uid, ids.gid), { path: '/' });
}
