const SHELL_SAFE = /^[A-Za-z0-9_./:@=+-]*$/;

/** Quotes a value for a POSIX shell command line only when it needs quoting, so scripts stay readable. */
export function shellWord(value: string): string {
  return SHELL_SAFE.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
