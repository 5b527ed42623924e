import { copyFile, open } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { command } from '../src/sandbox/command.js';

/** Time of `ip netns add` for an empty namespace, and of `ip netns delete` for it: the floor for sandbox up and destroy. */
export async function timeEmptyNamespace(): Promise<{ addMs: number; deleteMs: number }> {
  // Not the rehearsal prefix, so no sweep of orphan sandboxes ever mistakes it for one.
  const name = `rbench-${process.pid}-${randomBytes(3).toString('hex')}`;
  const added = performance.now();
  await command('ip', ['netns', 'add', name]);
  const addMs = performance.now() - added;
  const deleted = performance.now();
  await command('ip', ['netns', 'delete', name]);
  return { addMs, deleteMs: performance.now() - deleted };
}

/**
 * Reads the whole file once so the baseline copy and the restore that follows both find it in the
 * page cache; otherwise whichever runs first pays for the disk and the ratio measures the cache.
 */
export async function warmPageCache(path: string): Promise<void> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(8 * 1024 * 1024);
    while ((await file.read(buffer, 0, buffer.length, null)).bytesRead > 0);
  } finally {
    await file.close();
  }
}

/** A plain copy of the snapshot: the physical limit of a restore on the local target. */
export async function timePlainCopy(source: string, target: string): Promise<number> {
  const started = performance.now();
  await copyFile(source, target);
  return performance.now() - started;
}
