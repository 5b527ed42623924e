import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs a system command (ip, nft); the error names the command and its stderr. */
export async function command(file: string, args: readonly string[], input?: string): Promise<string> {
  try {
    if (input === undefined) return (await run(file, [...args], { encoding: 'utf8' })).stdout;
    return await new Promise<string>((resolve, reject) => {
      const child = execFile(file, [...args], { encoding: 'utf8' }, (error, stdout, stderr) => {
        if (error) reject(Object.assign(error, { stderr }));
        else resolve(stdout);
      });
      child.stdin?.end(input);
    });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`${file} ${args.join(' ')} failed: ${stderr || (error as Error).message}`, { cause: error });
  }
}

/** The same, for cleanup steps whose target may already be gone. */
export async function commandQuietly(file: string, args: readonly string[]): Promise<boolean> {
  try {
    await run(file, [...args], { encoding: 'utf8' });
    return true;
  } catch {
    return false;
  }
}
