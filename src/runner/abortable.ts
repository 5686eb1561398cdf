/**
 * Waiting that an interrupt cuts short: an event action still running when the run is interrupted
 * (a fault's `for`, a failover's polls) must not keep the interrupt waiting for it.
 */

/** The error an interrupted wait rejects with. */
export function interrupted(): Error {
  return new Error('interrupted');
}

/** Resolves after `ms`, or rejects with `interrupted` as soon as `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(interrupted());
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(interrupted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * `p`, or a rejection with `interrupted` as soon as `signal` aborts (what `p` was doing goes on in
 * the background: the stack is torn down next, which ends it).
 */
export function untilAborted<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(interrupted());
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(interrupted());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([p, aborted]).finally(() => {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  });
}
