import { readFileSync } from 'node:fs';

/**
 * The kernel's start time of `pid` (clock ticks since boot), which tells a process from a later
 * one that reused its pid; undefined when it is gone. A zombie (killed, never reaped: PID 1 in a
 * container may not reap) holds nothing, so it counts as gone.
 */
export function processStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    return fields[19];
  } catch {
    return undefined;
  }
}

/** Whether a process still runs (zombies count as gone). */
export function isProcessAlive(pid: number): boolean {
  return processStartTicks(pid) !== undefined;
}
