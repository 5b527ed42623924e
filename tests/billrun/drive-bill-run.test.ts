import t from 'tap';
import { driveBillRun } from '../../src/billrun/drive-bill-run.js';
import type { BillRunDriver, BillRunStatus } from '../../src/billrun/driver.js';
import { UserError } from '../../src/errors.js';
import { silentProgress } from '../../src/ui/progress.js';

/** A driver whose status answers come from a list (the last one repeats), recording what it was asked. */
function scriptedDriver(statuses: readonly BillRunStatus[], options: { failStart?: boolean } = {}): BillRunDriver & { calls: string[] } {
  const calls: string[] = [];
  let next = 0;
  return {
    calls,
    start: async () => {
      calls.push('start');
      if (options.failStart) throw new Error('service did not come up');
    },
    configure: async () => void calls.push('configure'),
    beginBillRun: async () => void calls.push('begin'),
    status: async () => statuses[Math.min(next++, statuses.length - 1)] as BillRunStatus,
    stop: async () => void calls.push('stop'),
    logTail: () => 'last line of the service log',
  };
}

const OPTIONS = { configuration: { billDate: '2026-11-01', emailInvoices: true, chargeAutoPay: true, provision: true, settings: {} }, timeoutSeconds: 60, progress: silentProgress, what: 'The bill run', tickLabel: 'accounts billed' };

t.test('a bill run that completes: configured, begun, polled until done, and the service stopped', async (t) => {
  const driver = scriptedDriver([{ state: 'running', processed: 10, total: 53 }, { state: 'completed', processed: 53, total: 53 }]);
  const done = await driveBillRun(driver, OPTIONS);
  t.equal(done.processed, 53);
  t.same(driver.calls, ['start', 'configure', 'begin', 'stop']);
});

t.test('a bill run the platform reports failed is a NO-GO error naming the run and the service log; the service is stopped', async (t) => {
  const driver = scriptedDriver([{ state: 'failed', processed: 3, total: 53, error: 'tax table missing' }]);
  const error = await driveBillRun(driver, { ...OPTIONS, what: "The control run (production's release)" }).catch((e: unknown) => e);
  t.ok(error instanceof UserError);
  t.equal((error as UserError).exitCode, 1);
  t.match((error as Error).message, /^The control run \(production's release\) failed inside the platform: tax table missing\.\nService log:\nlast line of the service log/);
  t.equal(driver.calls.at(-1), 'stop');
});

t.test('a bill run past its timeout stops the service and says how far it got and what to raise', async (t) => {
  const driver = scriptedDriver([{ state: 'running', processed: 7, total: 53 }]);
  await t.rejects(driveBillRun(driver, { ...OPTIONS, timeoutSeconds: 0 }), /^The bill run did not finish within 0 s \(7 of 53 accounts\)\. The service was stopped\. Raise `billRun\.timeoutSeconds`/);
  t.equal(driver.calls.at(-1), 'stop');
});

t.test('a service that does not come up is still stopped (it may have half started)', async (t) => {
  const driver = scriptedDriver([], { failStart: true });
  await t.rejects(driveBillRun(driver, OPTIONS), /service did not come up/);
  t.same(driver.calls, ['start', 'stop']);
});
