import type { MssqlRequest } from './driver.js';
import { normalizeRow } from './values.js';
import type { Row } from '../types.js';

/** Rows held before the request is paused; it resumes when the consumer has taken half. */
export const STREAM_HIGH_WATER = 256;

/**
 * Rows of one streaming request as an async iterator. The driver pushes rows as they arrive; the
 * request is paused when the buffer is full, so a slow consumer holds at most `highWater` rows.
 * Leaving the loop early cancels the request, which returns its connection to the pool.
 */
export async function* streamRows<T extends Row>(request: MssqlRequest, text: string, highWater = STREAM_HIGH_WATER): AsyncGenerator<T> {
  const buffer: T[] = [];
  let paused = false;
  let finished = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  request.stream = true;
  request.on('row', (row) => {
    buffer.push(normalizeRow(row) as T);
    if (buffer.length >= highWater && !paused) paused = request.pause();
    notify();
  });
  request.on('error', (error) => {
    failure ??= { error };
    notify();
  });
  request.on('done', () => {
    finished = true;
    notify();
  });
  // in stream mode mssql reports failures as 'error' events; the promise only settles
  request.query(text).catch((error: unknown) => {
    failure ??= { error };
    notify();
  });
  try {
    for (;;) {
      const row = buffer.shift();
      if (row !== undefined) {
        if (paused && buffer.length <= highWater / 2) paused = !request.resume();
        yield row;
        continue;
      }
      if (failure !== undefined) throw failure.error;
      if (finished) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    if (!finished && failure === undefined) {
      request.cancel();
      if (paused) request.resume();
    }
  }
}
