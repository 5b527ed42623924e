import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** How long to keep trying; generous, because the suite runs on loaded machines. */
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
}

/**
 * Polls `condition` until it holds or the deadline passes, and resolves to whether it held: for
 * asserting that something is gone or finished without guessing how long it takes.
 */
export async function eventually(condition: () => boolean | Promise<boolean>, { timeoutMs = 10_000, intervalMs = 20 }: WaitOptions = {}): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/**
 * Polls `probe` until it returns a value (anything but undefined) and resolves to it. Throws,
 * naming `what`, when the deadline passes or `giveUp` returns a reason (e.g. the process being
 * watched exited), so a test never goes on without what it waited for.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  { timeoutMs = 30_000, intervalMs = 20, giveUp }: WaitOptions & { giveUp?: () => string | undefined } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    const reason = giveUp?.();
    if (reason !== undefined) throw new Error(`gave up waiting for ${what}: ${reason}`);
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}
