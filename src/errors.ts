import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';

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

/** What the user can do about a file-system refusal, by errno. */
const FILE_SYSTEM_ADVICE: Readonly<Record<string, string>> = {
  ENOTDIR: 'a part of that path is a file, not a folder; point the plan (e.g. `report.dir`) at a folder',
  EISDIR: 'it is a folder where a file was expected; move it away or choose another `report.dir`',
  EROFS: 'that file system is read-only; choose a writable `report.dir`',
  ENOSPC: 'the disk is full; free space there (`rehearse down` removes what a run left) and run again',
  EDQUOT: 'your disk quota is used up; free space there (`rehearse down` removes what a run left) and run again',
};

/**
 * A file-system refusal (a path the user chose, or a disk that is full or read-only) as one
 * paragraph saying which path and what to do; undefined for anything else, which stays a bug.
 */
export function fileSystemError(error: unknown, uid: number | undefined = process.getuid?.()): UserError | undefined {
  if (!(error instanceof Error)) return undefined;
  const { path, syscall } = error as NodeJS.ErrnoException;
  const reported = (error as NodeJS.ErrnoException).code;
  const code = reported === 'ENOENT' && syscall === 'mkdir' && typeof path === 'string' ? whyMkdirFailed(path) : reported;
  if (typeof code !== 'string') return undefined;
  const action = syscall !== undefined ? ` (${syscall})` : '';
  const advice = FILE_SYSTEM_ADVICE[code];
  // A full disk is the user's to fix even when the failed write names no path.
  if (typeof path !== 'string') {
    return advice !== undefined && (code === 'ENOSPC' || code === 'EDQUOT') ? new UserError(`A write of the run's files failed (${code}): ${advice}; the run's files are under \`report.dir\`.`) : undefined;
  }
  if (code === 'EACCES' || code === 'EPERM') {
    const what =
      uid !== 0
        ? 'Rehearsal needs root: the sandbox is a network namespace with nftables rules, and what a root run made (/run/rehearsal, the reports) only root may change. Run it as root, e.g. with sudo'
        : 'Check the permissions and attributes (chattr) of that path, or choose another `report.dir`';
    return new UserError(`Permission denied on ${path}${action}. ${what}.`);
  }
  return advice === undefined ? undefined : new UserError(`Cannot use ${path}${action}: ${advice}.`);
}

/**
 * A recursive mkdir reports ENOENT when a missing parent could not be made (on a read-only or
 * forbidden folder); the real reason is found by asking the nearest existing ancestor.
 */
function whyMkdirFailed(path: string): string | undefined {
  let ancestor = dirname(path);
  while (!existsSync(ancestor) && dirname(ancestor) !== ancestor) ancestor = dirname(ancestor);
  try {
    accessSync(ancestor, constants.W_OK);
    return statSync(ancestor).isDirectory() ? undefined : 'ENOTDIR';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code;
  }
}
