import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { processStartTicks } from '../run/process-alive.js';

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
