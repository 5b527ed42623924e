import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Peak memory as Linux counts it. A process's own peak is exact: the kernel keeps its high-water
 * mark (VmHWM) and resets it to the current RSS when "5" is written to clear_refs. Processes a
 * stage starts (sinkholes, the platform's billing service) are sampled from outside instead.
 */
export function resetOwnPeak(): void {
  writeFileSync('/proc/self/clear_refs', '5');
}

export function ownPeakKb(): number {
  return statusField(readFileSync('/proc/self/status', 'utf8'), 'VmHWM') ?? 0;
}

function statusField(status: string, field: string): number | undefined {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match?.[1] !== undefined ? Number(match[1]) : undefined;
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    // The process exited between listing /proc and reading it.
    return undefined;
  }
}

function parentOf(stat: string): number | undefined {
  // The command name (field 2) may hold spaces and parentheses; the parent pid follows the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[1] !== undefined ? Number(fields[1]) : undefined;
}

/** Every live descendant of `root` (children, grandchildren, ...), found by walking /proc. */
export function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readOrUndefined(`/proc/${entry}/stat`);
    const parent = stat !== undefined ? parentOf(stat) : undefined;
    if (parent === undefined) continue;
    const list = children.get(parent) ?? [];
    list.push(Number(entry));
    children.set(parent, list);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

export function rssKb(pid: number): number {
  const status = readOrUndefined(`/proc/${pid}/status`);
  return status !== undefined ? (statusField(status, 'VmRSS') ?? 0) : 0;
}

export interface MemorySample {
  /** Date.now() of the sample, comparable with the stage windows other processes record. */
  readonly at: number;
  readonly processKb: number;
  /** Sum of the resident sizes of every descendant (shared pages are counted once per process). */
  readonly descendantsKb: number;
}

export interface MemorySampler {
  stop(): MemorySample[];
}

/** Samples `pid` and its descendants every `intervalMs` until stopped. */
export function sampleProcessTree(pid: number, intervalMs = 100): MemorySampler {
  const samples: MemorySample[] = [];
  const take = (): void => {
    const descendantsKb = descendantsOf(pid).reduce((sum, child) => sum + rssKb(child), 0);
    samples.push({ at: Date.now(), processKb: rssKb(pid), descendantsKb });
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

/**
 * The highest sampled value in [from, to]. A window shorter than the sampling interval has no
 * sample of its own; the last one before it stands in (the processes it counts live longer).
 */
export function peakIn(samples: readonly MemorySample[], from: number, to: number, pick: (s: MemorySample) => number): number {
  const inside = samples.filter((s) => s.at >= from && s.at <= to);
  if (inside.length > 0) return Math.max(...inside.map(pick));
  const before = samples.filter((s) => s.at < from).at(-1);
  return before !== undefined ? pick(before) : 0;
}
