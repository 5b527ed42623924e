import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { SafetyError } from '../errors.js';

const run = promisify(execFile);

/** Every namespace this tool makes starts with this, so a later run or `destroy` can find leftovers. */
export const NAMESPACE_PREFIX = 'rehearsal-';

export interface NetworkNamespace {
  readonly name: string;
  /** Command prefix that runs a program inside the namespace. */
  readonly execPrefix: readonly string[];
}

export function namespaceNameFor(runId: string): string {
  const suffix = runId.replace(/[^a-zA-Z0-9]/g, '').slice(-20);
  return `${NAMESPACE_PREFIX}${suffix}`;
}

async function ip(args: string[]): Promise<string> {
  const { stdout } = await run('ip', args, { encoding: 'utf8' });
  return stdout;
}

/**
 * A namespace with loopback only: no interface leads out, so nothing the platform sends can
 * leave the machine. Refuses (never falls back to running unisolated) when it cannot be made.
 */
export async function createNamespace(runId: string): Promise<NetworkNamespace> {
  const name = namespaceNameFor(runId);
  if (process.platform !== 'linux') {
    throw new SafetyError(
      `Cannot isolate the bill run: network namespaces need Linux, and this is ${process.platform}. ` +
        'Run the rehearsal on a Linux machine (or the AWS target); it never runs a bill run unisolated.',
      2,
    );
  }
  try {
    await ip(['netns', 'add', name]);
    await ip(['-n', name, 'link', 'set', 'lo', 'up']);
  } catch (error) {
    await deleteNamespace(name);
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new SafetyError(
      `Cannot isolate the bill run: creating network namespace ${name} failed (${reason}). ` +
        'The rehearsal needs root (or CAP_NET_ADMIN) and the `ip` command from iproute2 ' +
        '(apt-get install iproute2). It never runs a bill run unisolated.',
      2,
    );
  }
  return { name, execPrefix: ['ip', 'netns', 'exec', name] };
}

export async function namespaceExists(name: string): Promise<boolean> {
  return (await listNamespaces()).includes(name);
}

export async function listNamespaces(): Promise<string[]> {
  try {
    const out = await ip(['netns', 'list']);
    return out
      .split('\n')
      .map((line) => line.split(' ')[0] ?? '')
      .filter((n) => n.length > 0);
  } catch {
    return [];
  }
}

/** Pids of processes living in the namespace (they keep it from being freed). */
export async function namespacePids(name: string): Promise<number[]> {
  try {
    const out = await ip(['netns', 'pids', name]);
    return out
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** Kills what runs inside and deletes the namespace; safe to call when it is already gone. */
export async function deleteNamespace(name: string): Promise<void> {
  if (!(await namespaceExists(name))) return;
  for (const pid of await namespacePids(name)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already exited
    }
  }
  await ip(['netns', 'delete', name]).catch(() => undefined);
}
