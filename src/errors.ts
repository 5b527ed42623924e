/**
 * Failures a user can cause or fix. They are printed as one paragraph without a stack trace;
 * anything else is a bug and keeps its stack.
 */
export const ExitCode = { go: 0, noGo: 1, badInput: 2 } as const;

export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.badInput,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** A problem in a config file, located to the character. */
export class ConfigError extends UserError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}:${column}: ${detail}`);
    this.name = 'ConfigError';
  }
}

/** Several config problems at once, so the user fixes them in one pass. */
export class ConfigErrors extends UserError {
  constructor(readonly errors: readonly ConfigError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'ConfigErrors';
  }
}

/** A safety rule refused to let the run go on (unproven isolation, unmarked database). */
export class SafetyError extends UserError {
  constructor(message: string, exitCode: number = ExitCode.noGo) {
    super(message, exitCode);
    this.name = 'SafetyError';
  }
}
