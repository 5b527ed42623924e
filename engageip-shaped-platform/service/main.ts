/**
 * The EngageIP-shaped stand-in's billing service: `tsx engageip-shaped-platform/service/main.ts
 * --db <file> --release production|candidate [--switches a,b] [--ready-file <path>] [--exit-with-stdin]`. It polls the
 * BillRunRequest table, as EngageIP-class services poll their database: a 'Pending' row is a bill
 * run to do. It stops on SIGTERM or SIGINT, between two polls or after the user it is billing.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { Command } from 'commander';
import { UserError } from '../../src/errors.js';
import type { BillRunRequest } from './bill-run.js';
import { parseRelease } from './releases.js';
import { runRequest } from './service.js';

const POLL_MS = 100;

const options = new Command()
  .name('engageip-shaped-billing-service')
  .requiredOption('--db <file>', 'the SQLite database to bill')
  .requiredOption('--release <name>', 'production or candidate')
  .option('--switches <list>', 'candidate only: comma-separated regression switches', '')
  .option('--ready-file <path>', 'written once the service polls')
  .option('--exit-with-stdin', 'stop when stdin closes: whoever started the service is gone')
  .parse()
  .opts<{ db: string; release: string; switches: string; readyFile?: string; exitWithStdin?: boolean }>();

const say = (line: string): void => void process.stdout.write(`${new Date().toISOString()} ${line}\n`);

/** How long a graceful stop may take once the parent is gone, before the service just exits. */
const ORPHAN_STOP_MS = 10_000;

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => (stopping = true));
if (options.exitWithStdin === true) {
  // The rehearsal holds the other end: killed even with -9, it can no longer stop this service itself.
  const orphaned = (): void => {
    stopping = true;
    setTimeout(() => process.exit(1), ORPHAN_STOP_MS).unref();
  };
  process.stdin.once('end', orphaned);
  process.stdin.once('error', orphaned);
  process.stdin.resume();
}

try {
  const release = parseRelease(options.release, options.switches);
  const db = new Database(options.db, { fileMustExist: true, timeout: 10_000 });
  db.pragma('synchronous = OFF');
  say(`polling BillRunRequest in ${options.db} as the ${release.name} release ${release.version}${release.switches.size > 0 ? ` with ${[...release.switches].join(', ')}` : ''}`);
  if (options.readyFile !== undefined) writeFileSync(options.readyFile, `${process.pid}\n`);
  const next = db.prepare("SELECT [ID], [BillDate], [EmailInvoices], [ChargeAutoPay], [Provision], [Configuration] FROM [BillRunRequest] WHERE [Status] = 'Pending' ORDER BY [ID] LIMIT 1");
  while (!stopping) {
    const request = next.get() as BillRunRequest | undefined;
    if (request === undefined) {
      await sleep(POLL_MS);
      continue;
    }
    try {
      await runRequest(db, release, request, say);
    } catch (error) {
      say(`bill run request ${request.ID} failed: ${(error as Error).stack ?? String(error)}`);
      db.prepare("UPDATE [BillRunRequest] SET [Status] = 'Failed', [ErrorMessage] = ? WHERE [ID] = ?").run((error as Error).message.slice(0, 1000), request.ID);
    }
  }
  db.close();
  // A later service in the same work folder (the candidate after the control run) must prove itself ready.
  if (options.readyFile !== undefined) rmSync(options.readyFile, { force: true });
  say('stopped');
  // The capture server of a production run is a child whose pipes would keep this process alive.
  process.exit(0);
} catch (error) {
  if (!(error instanceof UserError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(error.exitCode);
}
