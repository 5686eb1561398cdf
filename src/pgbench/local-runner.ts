import { spawn } from 'node:child_process';
import type { PgbenchInvocation, PgbenchResult, PgbenchRunner } from '../stack/types.js';

/** Splits a stream into lines for a callback while keeping the whole text. */
function collect(stream: NodeJS.ReadableStream | null, onLine?: (line: string) => void): () => string {
  let all = '';
  let buf = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    all += chunk;
    if (!onLine) return;
    buf += chunk;
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      onLine(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      nl = buf.indexOf('\n');
    }
  });
  return () => all;
}

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
        });
        const out = collect(child.stdout, inv.onStdout);
        const err = collect(child.stderr, inv.onStderr);
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
