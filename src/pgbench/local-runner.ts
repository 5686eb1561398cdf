import { spawn } from 'node:child_process';
import { splitLines } from '../util/lines.js';
import type { PgbenchInvocation, PgbenchResult, PgbenchRunner } from './types.js';

/**
 * Runs a host pgbench binary. `argv` goes to pgbench as-is; the password only in the environment.
 * pgbench 15 prints progress and errors to stderr and the final summary to stdout.
 */
export function localPgbench(bin: string, version: string): PgbenchRunner {
  return {
    version,
    run(inv: PgbenchInvocation): Promise<PgbenchResult> {
      return new Promise((resolve) => {
        const child = spawn(bin, inv.args, {
          cwd: inv.cwd,
          env: { ...process.env, ...inv.env },
          stdio: ['ignore', 'pipe', 'pipe'],
          // Own process group: a terminal's Ctrl-C goes to bench, which stops pgbench itself and
          // records the cell as interrupted (pgbench dying of the SIGINT first would read as failed).
          detached: true,
        });
        const out = splitLines(child.stdout, inv.onStdout, { keep: true });
        const err = splitLines(child.stderr, inv.onStderr, { keep: true });
        let timedOut = false;
        let aborted = false;
        const kill = () => {
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 3000).unref();
        };
        const timer = setTimeout(() => {
          timedOut = true;
          kill();
        }, inv.timeoutMs);
        const onAbort = () => {
          aborted = true;
          kill();
        };
        inv.signal?.addEventListener('abort', onAbort, { once: true });
        if (inv.signal?.aborted) onAbort();
        child.once('error', (e) => {
          clearTimeout(timer);
          resolve({ exitCode: null, stdout: out(), stderr: `${err()}\n${e.message}`, timedOut, aborted });
        });
        child.once('close', (code, sig) => {
          clearTimeout(timer);
          inv.signal?.removeEventListener('abort', onAbort);
          resolve({
            exitCode: code,
            ...(sig ? { signal: sig } : {}),
            stdout: out(),
            stderr: err(),
            timedOut,
            aborted,
          });
        });
      });
    },
  };
}
