import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../errors.js';
import type { Progress } from '../ui/progress.js';
import type { BillRunConfiguration, BillRunDriver } from './driver.js';

export interface DriveOptions {
  readonly configuration: BillRunConfiguration;
  readonly timeoutSeconds: number;
  readonly progress: Progress;
  /** Names the run in progress and errors: "The bill run", "The control run (production's release)". */
  readonly what: string;
  readonly tickLabel: string;
}

/**
 * One bill run through the adapter's driver: start the service, configure, begin, then poll its
 * status with progress until it completes, fails or passes the plan's timeout. The service is
 * stopped whatever happens, so it can never bill again unwatched.
 */
export async function driveBillRun(driver: BillRunDriver, options: DriveOptions): Promise<{ processed: number; ms: number }> {
  const started = Date.now();
  try {
    await driver.start();
    await driver.configure(options.configuration);
    await driver.beginBillRun();
    const deadline = started + options.timeoutSeconds * 1000;
    for (;;) {
      const status = await driver.status();
      options.progress.tick(options.tickLabel, status.processed, status.total || undefined);
      if (status.state === 'completed') return { processed: status.processed, ms: Date.now() - started };
      if (status.state === 'failed') {
        throw new UserError(`${options.what} failed inside the platform: ${status.error ?? 'no reason given'}.\nService log:\n${driver.logTail()}`, 1);
      }
      if (Date.now() > deadline) {
        throw new UserError(
          `${options.what} did not finish within ${options.timeoutSeconds} s (${status.processed} of ${status.total} accounts). ` +
            'The service was stopped. Raise `billRun.timeoutSeconds` in the plan if the database is large.',
          1,
        );
      }
      await sleep(200);
    }
  } finally {
    await driver.stop();
  }
}
