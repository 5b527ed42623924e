import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createDriver } from '../platform/drivers/create-driver.js';
import { driveBillRun } from '../billrun/drive-bill-run.js';
import { SqliteEngine } from '../engine/sqlite.js';
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
export async function runControlBillRun(ctx: RunContext, beforeBillRun: string, settings: Readonly<Record<string, string>>): Promise<string> {
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
  ctx.progress.detail("control run: production's release bills a second copy in the same sandbox");
  run.state.controlStartedAt = new Date().toISOString();
  run.save();
  try {
    const { processed, ms } = await driveBillRun(driver, {
      configuration: { billDate: plan.billRun.date, ...plan.billRun.configuration, settings },
      timeoutSeconds: plan.billRun.timeoutSeconds,
      progress: ctx.progress,
      what: "The control run (production's release)",
      tickLabel: 'control: accounts billed',
    });
    return `control run: ${processed} accounts billed by the production release in ${formatDuration(ms)}`;
  } finally {
    run.state.servicePid = undefined;
    run.save();
  }
}
