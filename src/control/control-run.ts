import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDriver } from '../platform/drivers/create-driver.js';
import { SqliteEngine } from '../engine/sqlite.js';
import { UserError } from '../errors.js';
import { formatDuration } from '../ui/progress.js';
import type { RunContext } from '../pipeline/context.js';

/** The control copy: the sanitized pre-bill-run state, billed by production's release. In the work folder, so destroy removes it. */
export function controlCopyPath(workDir: string): string {
  return join(workDir, 'control.db');
}

/**
 * The control run (`verify.control: production-release`): a second copy of the sanitized state
 * the candidate starts from, billed by production's release in the same sandbox, with the same
 * configuration, before the candidate's bill run, so the two never run at once and the
 * candidate's ledger entries (taken from its own start) hold none of the control's. SQLite only so
 * far; returns a note when it did not run.
 */
export async function runControlBillRun(ctx: RunContext, beforeBillRun: string): Promise<string> {
  const { plan, run, sandbox } = ctx;
  if (plan.verify.control === undefined) return '';
  if (plan.database.engine !== 'sqlite') return 'control run skipped: it needs a second copy, made on SQLite only so far';
  if (sandbox === undefined || !existsSync(beforeBillRun)) throw new Error('the control run needs the sandbox and the pre-bill-run copy');
  const copy = controlCopyPath(run.workDir);
  copyFileSync(beforeBillRun, copy);
  // Its own folder: the adapter's driver names its socket and service log after the work folder.
  const workDir = join(run.workDir, 'control');
  mkdirSync(workDir, { recursive: true });
  const adapter = plan.platform.adapter;
  const driver = await createDriver(
    adapter,
    {
      namespace: sandbox.namespace,
      database: { kind: 'sqlite', path: copy },
      workDir,
      adapterDir: adapter.dir,
      release: 'production',
      version: adapter.releases['production'] ?? 'production',
      switches: [],
      env: sandbox.caCertPath !== undefined ? { NODE_EXTRA_CA_CERTS: sandbox.caCertPath } : {},
      onSpawn: (pid) => {
        run.state.servicePid = pid;
        run.save();
      },
    },
    async () => SqliteEngine.open(copy),
  );
  const started = Date.now();
  ctx.progress.detail("control run: production's release bills a second copy in the same sandbox");
  try {
    await driver.start();
    await driver.configure({ billDate: plan.billRun.date, ...plan.billRun.configuration });
    await driver.beginBillRun();
    const deadline = started + plan.billRun.timeoutSeconds * 1000;
    for (;;) {
      const status = await driver.status();
      ctx.progress.tick('control: accounts billed', status.processed, status.total || undefined);
      if (status.state === 'completed') return `control run: ${status.processed} accounts billed by the production release in ${formatDuration(Date.now() - started)}`;
      if (status.state === 'failed') throw new UserError(`The control run (production's release) failed inside the platform: ${status.error ?? 'no reason given'}.\nService log:\n${driver.logTail()}`, 1);
      if (Date.now() > deadline) throw new UserError(`The control run did not finish within ${plan.billRun.timeoutSeconds} s (${status.processed} of ${status.total} accounts); raise \`billRun.timeoutSeconds\`.`, 1);
      await sleep(200);
    }
  } finally {
    await driver.stop();
    run.state.servicePid = undefined;
    run.save();
  }
}
