import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

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

export function liveProcesses(): Array<{ pid: number; name: string }> {
  return [...live].map(([pid, p]) => ({ pid, name: p.name }));
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
}

/** A long-running child (postgres, pgbouncer, a proxy) with a log ring buffer and a PID-based stop. */
export class ManagedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  private lines: string[] = [];
  private exited = false;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exitPromise: Promise<void>;
  private readonly log: WriteStream | undefined;
  private readonly listeners: Array<(line: string) => void> = [];

  constructor(
    readonly argv: string[],
    private readonly opts: SpawnOptions,
  ) {
    installExitHook();
    const [cmd, ...args] = argv;
    if (cmd === undefined) throw new Error('empty command');
    this.log = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
    this.child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.uid === undefined ? {} : { uid: opts.uid }),
      ...(opts.gid === undefined ? {} : { gid: opts.gid }),
    });
    this.exitPromise = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exited = true;
        this.exitInfo = { code, signal };
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
    for (const s of [this.child.stdout, this.child.stderr]) {
      let buf = '';
      s?.setEncoding('utf8');
      s?.on('data', (chunk: string) => {
        this.log?.write(chunk);
        buf += chunk;
        let nl = buf.indexOf('\n');
        while (nl >= 0) {
          this.push(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
          nl = buf.indexOf('\n');
        }
      });
    }
  }

  private push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > 200) this.lines.splice(0, this.lines.length - 200);
    for (const l of this.listeners) l(line);
  }

  onLine(fn: (line: string) => void): void {
    this.listeners.push(fn);
  }

  alive(): boolean {
    return !this.exited;
  }

  exitDescription(): string {
    if (!this.exitInfo) return 'still running';
    return this.exitInfo.signal
      ? `killed by ${this.exitInfo.signal}`
      : `exited with code ${this.exitInfo.code}`;
  }

  logTail(n = 20): string {
    return this.lines.slice(-n).join('\n');
  }

  /** Waits for the line (regex) in the output, or rejects on exit or timeout. */
  waitForLine(re: RegExp, timeoutMs: number): Promise<void> {
    if (this.lines.some((l) => re.test(l))) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${re}`)),
        timeoutMs,
      );
      this.onLine((l) => {
        if (re.test(l)) {
          clearTimeout(timer);
          resolve();
        }
      });
      void this.exitPromise.then(() => {
        clearTimeout(timer);
        reject(new Error(`${this.opts.name} ${this.exitDescription()}`));
      });
    });
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
      this.signal(this.opts.stopSignal ?? 'SIGTERM');
      if (!(await this.waitForExit(graceMs))) {
        this.signal(this.opts.hardSignal ?? 'SIGKILL');
        await this.waitForExit(5_000);
      }
    }
    await new Promise<void>((resolve) => (this.log ? this.log.end(resolve) : resolve()));
  }

  signal(sig: NodeJS.Signals): void {
    try {
      process.kill(this.pid, sig);
    } catch {
      // exited between the check and the kill
    }
  }
}
