/**
 * Runs the tasks with at most `limit` in flight; resolves when all started ones have settled.
 * Once `keepGoing` says no, tasks not yet started are skipped.
 */
export async function runLimited(
  tasks: readonly (() => Promise<void>)[],
  limit: number,
  keepGoing: () => boolean = () => true,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length && keepGoing()) {
      const task = tasks[next++];
      if (task) await task();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}
