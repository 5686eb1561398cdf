import { releasePort } from './ports.js';
import { postmasterStart, waitForNewPostmaster } from './postgres-restart.js';
import type { ManagedProcess } from './process.js';
import { waitForQuery } from './ready.js';
import type { Component, Endpoint, PostgresOps } from './types.js';

/** How long a restart, a crash recovery or the stop of the old postmaster may take. */
const RESTART_MS = 60_000;
/** Between starts after a crash, while orphaned backends still hold the old shared memory. */
const RETRY_MS = 200;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The native PostgreSQL as a component that survives its own restarts: `spawn` starts a postmaster
 * with the run's data directory and settings (the same argv each time), and the component's pid,
 * liveness and log follow the current one. The operations signal the postmaster as pg_ctl would
 * (`-m fast` is SIGINT, `-m immediate` SIGQUIT) and start it again under our supervision (a
 * pg_ctl-started server would leave it); a crash is SIGKILL of the postmaster, then starts until
 * one succeeds (the old backends exit once they see the postmaster gone) and recovers.
 */
export function restartablePostgres(
  spawn: () => ManagedProcess,
  first: ManagedProcess,
  port: number,
  superuser: Endpoint,
  graceMs: number,
): { component: Component; ops: PostgresOps } {
  let proc = first;
  const component: Component = {
    role: 'postgres',
    get pid() {
      return proc.pid;
    },
    port,
    alive: () => proc.alive(),
    logTail: (n) => proc.logTail(n),
    stop: async () => {
      await proc.stop(graceMs);
      releasePort(port);
    },
  };
  const startAgain = async (before: string | undefined, retry: boolean, timeoutMs = RESTART_MS) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      proc = spawn();
      const p = proc;
      const left = Math.max(1, deadline - Date.now());
      if (await waitForNewPostmaster(superuser, before, left, () => p.alive())) return;
      if (!retry || Date.now() >= deadline) throw new Error(`postgres did not start again: ${p.logTail(5)}`);
      await sleep(RETRY_MS);
    }
  };
  const stopWith = async (sig: NodeJS.Signals) => {
    const before = await postmasterStart(superuser);
    proc.signal(sig);
    if (!(await proc.waitForExit(RESTART_MS)))
      throw new Error(`postgres did not exit on ${sig} within ${RESTART_MS} ms`);
    // Gone already: this only closes its log; orphaned backends of a crash are left to exit alone.
    await proc.stop();
    return before;
  };
  // When the postmaster that `stop` left down had started: its successor is told apart by this.
  let stoppedAt: string | undefined;
  let stopped = false;
  const ops: PostgresOps = {
    async stop(how) {
      if (!proc.alive()) return;
      stoppedAt = await stopWith(how === 'kill' ? 'SIGKILL' : 'SIGINT');
      stopped = true;
    },
    async start(timeoutMs) {
      if (proc.alive() || !stopped) return;
      stopped = false;
      // After a kill, starts until the old backends have let go of the shared memory.
      await startAgain(stoppedAt, true, timeoutMs);
    },
    async restart(mode) {
      await startAgain(await stopWith(mode === 'fast' ? 'SIGINT' : 'SIGQUIT'), false);
    },
    async crash() {
      await startAgain(await stopWith('SIGKILL'), true);
    },
    ready: (timeoutMs) => waitForQuery(superuser, timeoutMs, () => proc.alive()),
  };
  return { component, ops };
}
