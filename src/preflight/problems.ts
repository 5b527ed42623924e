import { ConfigError, ConfigErrors, ExitCode, UserError } from '../errors.js';

/**
 * Input problems found before anything is created, gathered so the user fixes them in one pass.
 * Every one exits 2: they are wrong input, never a verdict.
 */
export class Problems {
  private readonly found: UserError[] = [];

  add(problem: UserError): void {
    this.found.push(problem);
  }

  /**
   * Runs a check that reports by throwing and keeps what it threw when it is an input problem;
   * anything else (a safety refusal, a bug) stops at once.
   */
  async collect(check: () => unknown): Promise<void> {
    try {
      await check();
    } catch (error) {
      if (error instanceof ConfigErrors) for (const e of error.errors) this.add(e);
      else if (error instanceof UserError && error.exitCode === ExitCode.badInput) this.add(error);
      else throw error;
    }
  }

  get count(): number {
    return this.found.length;
  }

  throwIfAny(): void {
    const [first] = this.found;
    if (first === undefined) return;
    if (this.found.length === 1) throw first;
    if (this.found.every((p) => p instanceof ConfigError)) throw new ConfigErrors(this.found as ConfigError[]);
    throw new UserError(this.found.map((p) => p.message).join('\n'));
  }
}
