import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where each live sandbox says who owns it; kept in /run so a reboot (which ends every sandbox) clears it. */
export const OWNERSHIP_DIR = process.env.REHEARSAL_RUN_DIR ?? '/run/rehearsal';

export interface SandboxRecord {
  readonly namespace: string;
  readonly runId: string;
  readonly runDir: string;
  readonly ownerPid: number;
  /** Start time of the owner (from /proc), so a reused pid is not mistaken for the owner. */
  readonly ownerStartTicks: string;
  readonly sinkholePid?: number;
  readonly veth?: string;
  readonly createdAt: string;
}

function recordPath(namespace: string): string {
  return join(OWNERSHIP_DIR, `${namespace}.json`);
}

export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A zombie (killed, never reaped: PID 1 in a container may not reap) holds nothing; it is gone.
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    return fields[19];
  } catch {
    return undefined;
  }
}

export function writeSandboxRecord(record: SandboxRecord): void {
  mkdirSync(OWNERSHIP_DIR, { recursive: true, mode: 0o700 });
  writeFileSync(recordPath(record.namespace), `${JSON.stringify(record, null, 2)}\n`);
}

export function readSandboxRecord(namespace: string): SandboxRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordPath(namespace), 'utf8')) as SandboxRecord;
  } catch {
    return undefined;
  }
}

export function removeSandboxRecord(namespace: string): void {
  rmSync(recordPath(namespace), { force: true });
}

export function listSandboxRecords(): SandboxRecord[] {
  if (!existsSync(OWNERSHIP_DIR)) return [];
  return readdirSync(OWNERSHIP_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => readSandboxRecord(f.slice(0, -'.json'.length)))
    .filter((r): r is SandboxRecord => r !== undefined);
}

export function ownerAlive(record: SandboxRecord): boolean {
  return processStartTicks(record.ownerPid) === record.ownerStartTicks;
}
