import { retry, sleep } from 'zx';
import { SafetyError } from '../errors.js';
import { command, runSystemCommand } from './command.js';

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

function ip(args: string[]): Promise<string> {
  return command('ip', args);
}

/** How long `deleteNamespace` waits for killed processes to be gone before it gives up. */
const PROCESSES_GONE_MS = 10_000;
const POLL_MS = 50;

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

/** Pids of processes living in the namespace (they keep it from being freed); none when it is gone. */
export async function namespacePids(name: string): Promise<number[]> {
  const result = await runSystemCommand('ip', ['netns', 'pids', name]);
  if (result.exitCode !== 0) return [];
  return result.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map(Number);
}

/**
 * Kills every process inside the namespace, recorded or not (a service whose pid was never
 * written down, a child it started), and waits until none is left; returns the pids it killed.
 * Throws when some are still there after the deadline, naming them.
 */
export async function killNamespaceProcesses(name: string): Promise<number[]> {
  const killed = new Set<number>();
  const attempts = Math.ceil(PROCESSES_GONE_MS / POLL_MS);
  try {
    await retry(attempts, POLL_MS, async () => {
      const pids = await namespacePids(name);
      if (pids.length === 0) return;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
          killed.add(pid);
        } catch {
          // exited between the listing and the kill
        }
      }
      // A killed process is still listed until the kernel has torn it down.
      await sleep(POLL_MS);
      const left = await namespacePids(name);
      if (left.length > 0) throw new Error(`processes ${left.join(', ')} are still running in network namespace ${name}`);
    });
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)} after ${PROCESSES_GONE_MS / 1000} s`, { cause: error });
  }
  return [...killed];
}

/**
 * Kills what runs inside, waits until it is gone, and deletes the namespace; safe to call when it
 * is already gone. Returns the pids it killed.
 */
export async function deleteNamespace(name: string): Promise<number[]> {
  if (!(await namespaceExists(name))) return [];
  const killed = await killNamespaceProcesses(name);
  await runSystemCommand('ip', ['netns', 'delete', name]);
  return killed;
}
