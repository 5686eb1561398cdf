import os from 'node:os';

/** Bad input: a matrix, a flag, a run directory. Exit code 2. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

/** The stack could not be started or became unreachable. Exit code 2. */
export class StackError extends Error {
  override name = 'StackError';
  constructor(
    message: string,
    readonly logTail?: string,
  ) {
    super(message);
  }
}

/** A required tool is missing. Exit code 3. */
export class MissingToolError extends Error {
  override name = 'MissingToolError';
  constructor(
    readonly tool: string,
    readonly install: string,
  ) {
    super(`${tool} was not found`);
  }
}

export const EXIT = { ok: 0, findings: 1, usage: 2, missingTool: 3, interrupted: 130 } as const;

/**
 * The shell's convention for a process ended by a signal, 128 + its number: SIGINT 130, SIGTERM
 * 143, SIGHUP 129. A run stopped without a signal (an abort from inside) keeps SIGINT's 130.
 */
export function interruptedExitCode(sig: NodeJS.Signals | undefined): number {
  const n = sig === undefined ? undefined : os.constants.signals[sig];
  return n === undefined ? EXIT.interrupted : 128 + n;
}
