import { describe, expect, it } from 'vitest';
import { EXIT, interruptedExitCode } from '../../src/errors.js';

describe('interruptedExitCode', () => {
  it('is 128 + the signal number, as a shell reports a process a signal ended', () => {
    expect(interruptedExitCode('SIGINT')).toBe(130);
    expect(interruptedExitCode('SIGTERM')).toBe(143);
    expect(interruptedExitCode('SIGHUP')).toBe(129);
  });

  it("keeps SIGINT's code when no signal was received", () => {
    expect(interruptedExitCode(undefined)).toBe(EXIT.interrupted);
  });
});
