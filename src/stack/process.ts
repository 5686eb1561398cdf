import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { splitLines } from '../util/lines.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The children of a process's main thread; none when it is gone. */
function childPids(pid: number): number[] {
  try {
    // Space-separated pids (proc(5)); the samplers have their own parser, a layer above the stack.
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter((s) => s !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** Every process the harness started and has not yet seen exit; the exit hook kills these by PID. */
const live = new Map<number, { name: string; hardSignal: NodeJS.Signals }>();
let hookInstalled = false;

function installExitHook(): void {
  if (hookInstalled) return;
  hookInstalled = true;
  // Last line of defence: if the harness exits without stopping its stack (a crash, a forced
  // second Ctrl-C), kill what it started. Only our own PIDs, never by name.
  process.on('exit', () => {
    for (const [pid, p] of live) {
      try {
        process.kill(pid, p.hardSignal);
      } catch {
        // already gone
      }
    }
  });
}

export interface SpawnOptions {
  name: string;
  cwd?: string;
  env?: Record<string, string>;
  uid?: number;
  gid?: number;
  logFile?: string;
  /** Signal for a graceful stop and for the exit hook's hard stop. */
  stopSignal?: NodeJS.Signals;
  hardSignal?: NodeJS.Signals;
  /**
   * Which process the graceful stop signal goes to: the one spawned, or its first child (a counting
   * wrapper such as perf stat, which must outlive the component to write its counts).
   */
  stopTarget?: 'process' | 'child';
  /**
   * Before the graceful stop, wait up to this long for the target's own children to exit (a
   * forking proxy under valgrind: each connection's process writes its counts as it exits, and the
   * group kill after the stop would cut that short).
   */
  quiesceMs?: number;
}

/** A long-running child (postgres, pgbouncer, a proxy) with a log ring buffer and a PID-based stop. */
export class ManagedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  private lines: string[] = [];
  private exited = false;
  private readonly exitPromise: Promise<void>;
  private readonly log: WriteStream | undefined;

  constructor(
    readonly argv: string[],
    private readonly opts: SpawnOptions,
  ) {
    installExitHook();
    const [cmd, ...args] = argv;
    if (cmd === undefined) throw new Error('empty command');
    this.log = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
    // A full disk must not crash the harness over a component's log; the ring buffer still has it.
    this.log?.on('error', () => undefined);
    this.child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a terminal's Ctrl-C reaches only bench, which then stops the stack
      // in order (clients first, PostgreSQL last) and records the cell as interrupted.
      detached: true,
      ...(opts.uid === undefined ? {} : { uid: opts.uid }),
      ...(opts.gid === undefined ? {} : { gid: opts.gid }),
    });
    this.exitPromise = new Promise((resolve) => {
      this.child.once('exit', () => {
        this.exited = true;
        if (this.child.pid !== undefined) live.delete(this.child.pid);
        resolve();
      });
      this.child.once('error', (err) => {
        this.exited = true;
        this.push(`spawn error: ${err.message}`);
        resolve();
      });
    });
    this.pid = this.child.pid ?? -1;
    if (this.child.pid !== undefined) {
      live.set(this.child.pid, { name: opts.name, hardSignal: opts.hardSignal ?? 'SIGKILL' });
    }
    for (const stream of [this.child.stdout, this.child.stderr]) {
      splitLines(stream, (line) => this.push(line), { onChunk: (chunk) => this.log?.write(chunk) });
    }
  }

  private push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > 200) this.lines.splice(0, this.lines.length - 200);
  }

  alive(): boolean {
    return !this.exited;
  }

  logTail(n = 20): string {
    return this.lines.slice(-n).join('\n');
  }

  waitForExit(timeoutMs: number): Promise<boolean> {
    if (this.exited) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      void this.exitPromise.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Graceful signal, then the hard one after `graceMs`. Resolves when the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.exited) {
      const target = this.opts.stopTarget === 'child' ? (childPids(this.pid)[0] ?? this.pid) : this.pid;
      await this.quiesce(target);
      this.signalPid(target, this.opts.stopSignal ?? 'SIGTERM');
      if (!(await this.waitForExit(graceMs))) {
        this.signal(this.opts.hardSignal ?? 'SIGKILL');
        await this.waitForExit(5_000);
      }
      // The process was spawned detached, so it leads a process group of its own: children it
      // forked (socat per connection, pgpool's pool processes) that outlived it are ours too. Only
      // right after the exit we caused, while the group id cannot have been reused.
      this.signalGroup('SIGKILL');
    }
    await new Promise<void>((resolve) => (this.log ? this.log.end(resolve) : resolve()));
  }

  private async quiesce(target: number): Promise<void> {
    const deadline = Date.now() + (this.opts.quiesceMs ?? 0);
    while (Date.now() < deadline && !this.exited && childPids(target).length > 0) await sleep(50);
  }

  private signalPid(pid: number, sig: NodeJS.Signals): void {
    if (pid === this.pid) {
      this.signal(sig);
      return;
    }
    try {
      process.kill(pid, sig);
    } catch {
      // exited between the read and the kill
    }
  }

  private signalGroup(sig: NodeJS.Signals): void {
    if (!(this.pid > 0)) return;
    try {
      process.kill(-this.pid, sig);
    } catch {
      // no process left in the group
    }
  }

  signal(sig: NodeJS.Signals): void {
    // A failed spawn leaves no pid; process.kill(-1) would signal every process we may signal.
    if (!(this.pid > 0)) return;
    try {
      process.kill(this.pid, sig);
    } catch {
      // exited between the check and the kill
    }
  }
}
