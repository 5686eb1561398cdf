import { StackError } from '../errors.js';
import { ManagedProcess, type SpawnOptions } from './process.js';
import { waitForQuery } from './ready.js';
import type { Component, Endpoint, PostgresOps } from './types.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether any process of the process group `pgid` is left (the postmaster's orphaned backends). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The run's PostgreSQL as a local process that can be stopped under load and started again on the
 * same data directory: a failover kills its postmaster and brings it back for the next cell. The
 * component keeps one identity (the samplers and the stack hold it) while its pid follows the
 * current postmaster.
 */
export class NativePostgres {
  private proc: ManagedProcess;
  readonly component: Component;

  constructor(
    private readonly argv: string[],
    private readonly opts: SpawnOptions,
    private readonly ready: Endpoint,
    port: number,
    graceMs: number,
    onStop: () => void,
  ) {
    this.proc = new ManagedProcess(argv, opts);
    this.component = {
      role: 'postgres',
      pid: this.proc.pid,
      port,
      alive: () => this.proc.alive(),
      logTail: (n) => this.proc.logTail(n),
      stop: async () => {
        await this.proc.stop(graceMs);
        onStop();
      },
    };
  }

  get process(): ManagedProcess {
    return this.proc;
  }

  /**
   * Stops the postmaster and leaves it down: `kill` is SIGKILL of the postmaster alone (its backends
   * notice and exit; the data directory needs crash recovery), `fast` a fast shutdown (SIGINT).
   */
  async stop(how: 'kill' | 'fast'): Promise<void> {
    if (!this.proc.alive()) return;
    this.proc.signal(how === 'kill' ? 'SIGKILL' : 'SIGINT');
    if (!(await this.proc.waitForExit(how === 'kill' ? 5_000 : 30_000)))
      throw new StackError(
        `postgres (pid ${this.proc.pid}) did not exit after ${how === 'kill' ? 'SIGKILL' : 'SIGINT'}`,
      );
  }

  /**
   * Starts the postmaster again on its data directory (crash recovery after a kill) once the old
   * one's backends are gone (a new postmaster refuses a shared memory block still attached), and
   * resolves when it answers queries. A running one is left as it is.
   */
  async start(timeoutMs: number): Promise<void> {
    if (this.proc.alive()) return;
    const old = this.proc.pid;
    const deadline = Date.now() + 10_000;
    while (old > 0 && groupAlive(old) && Date.now() < deadline) await sleep(50);
    if (old > 0 && groupAlive(old)) process.kill(-old, 'SIGKILL');
    this.proc = new ManagedProcess(this.argv, this.opts);
    this.component.pid = this.proc.pid;
    try {
      await waitForQuery(this.ready, timeoutMs, () => this.proc.alive());
    } catch (e) {
      throw new StackError(`postgres did not start again: ${(e as Error).message}`, this.proc.logTail(15));
    }
  }

  /** The stack's operations on this server (src/stack/types.ts). */
  ops(): PostgresOps {
    const again = 60_000;
    return {
      stop: (how) => this.stop(how),
      start: (timeoutMs) => this.start(timeoutMs),
      crash: async () => {
        await this.stop('kill');
        await this.start(again);
      },
      restart: async (mode) => {
        if (mode === 'fast') await this.stop('fast');
        else {
          // Immediate shutdown: SIGQUIT, no checkpoint; the start does crash recovery.
          this.proc.signal('SIGQUIT');
          // Otherwise start() finds the old postmaster alive and returns at once: a restart that
          // never happened would be recorded as done.
          if (!(await this.proc.waitForExit(30_000)))
            throw new StackError(`postgres (pid ${this.proc.pid}) did not exit after SIGQUIT`);
        }
        await this.start(again);
      },
      ready: (timeoutMs) => waitForQuery(this.ready, timeoutMs, () => this.proc.alive()),
    };
  }
}
