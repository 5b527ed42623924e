import { $, type ProcessOutput } from 'zx';

const TIMEOUT = '30s';

/**
 * ip and nft need nothing from our environment but PATH (never the masking key or a connection
 * string). SHLVL: zx runs commands through bash, which sources ~/.bashrc when its stdin is a
 * socket and it believes it is a top-level shell; a level of 1 tells it it is not.
 */
export function systemCommandEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', SHLVL: '1' };
}

/** Runs a system command without throwing; the result says how it ended. */
export function runSystemCommand(file: string, args: readonly string[], input?: string): Promise<ProcessOutput> {
  return $({ nothrow: true, quiet: true, timeout: TIMEOUT, env: systemCommandEnv(), ...(input !== undefined ? { input } : {}) })`${file} ${[...args]}`;
}

/** Runs a system command (ip, nft); the error names the command and its stderr. */
export async function command(file: string, args: readonly string[], input?: string): Promise<string> {
  const result = await runSystemCommand(file, args, input);
  if (result.exitCode !== 0) {
    const why = result.stderr.trim() || (result.signal !== null ? `killed by ${result.signal} after ${TIMEOUT}` : result.message.split('\n')[0]);
    throw new Error(`${file} ${args.join(' ')} failed: ${why}`);
  }
  return result.stdout;
}

/** The same, for cleanup steps whose target may already be gone. */
export async function commandQuietly(file: string, args: readonly string[]): Promise<boolean> {
  return (await runSystemCommand(file, args)).exitCode === 0;
}
