import { readlinkSync } from 'node:fs';
import { hostProcFs, type ProcFs } from './proc.js';

type ListenFs = ProcFs & { readlink(path: string): string };
const hostFs: ListenFs = { ...hostProcFs, readlink: (p) => readlinkSync(p) };

/** TCP state LISTEN in /proc/net/tcp{,6}. */
const TCP_LISTEN = '0A';

/**
 * Inodes of the listening sockets on `port` in the text of /proc/net/tcp or /proc/net/tcp6
 * (local_address is hex `ADDR:PORT`, st the state, inode the 10th column). Pure.
 */
export function listenInodes(text: string, port: number): string[] {
  const out: string[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const local = f[1];
    if (!local || f[3] !== TCP_LISTEN) continue;
    const hexPort = local.slice(local.lastIndexOf(':') + 1);
    if (Number.parseInt(hexPort, 16) === port && f[9] !== undefined) out.push(f[9]);
  }
  return out;
}

/**
 * The listening sockets on `port` in the host's network namespace (native processes and
 * host-network containers alike), and which of `pids` hold one (a `socket:[inode]` among their fds).
 * Only the given PIDs are searched: reading every process's fds would cost far more.
 */
export function listeners(
  port: number,
  pids: readonly number[],
  fs: ListenFs = hostFs,
): { sockets: number; holders: Set<number> } {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const i of listenInodes(fs.readFile(file), port)) inodes.add(i);
    } catch {
      // no IPv6 in this kernel
    }
  }
  const holders = new Set<number>();
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = fs.readdir(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let link = '';
      try {
        link = fs.readlink(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m?.[1] && inodes.has(m[1])) holders.add(pid);
    }
  }
  return { sockets: inodes.size, holders };
}
