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
