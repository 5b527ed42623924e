// One rehearsal up to the bill run, then the same release's bill run repeated on the same
// pre-bill-run copy, alternating between our sinkhole process and the cheapest accept-discard
// servers. Started by bench/sandbox-cost/harness.ts; writes its figures as JSON to the file it is given.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlan } from '../../src/plan/load.js';
import { createRunFolder } from '../../src/run/run-folder.js';
import { silentProgress, type Progress } from '../../src/ui/progress.js';
import type { RunContext } from '../../src/pipeline/context.js';
import { isolate } from '../../src/stages/isolate.js';
import { restore } from '../../src/stages/restore.js';
import { sanitize } from '../../src/stages/sanitize.js';
import { prove } from '../../src/stages/prove.js';
import { billRun } from '../../src/stages/bill-run.js';
import { destroyRun } from '../../src/stages/destroy.js';
import { openRunCopy } from '../../src/engine/run-databases.js';
import { beforeBillRunPath } from '../../src/differential/masked-production.js';
import { readSandboxRecord } from '../../src/sandbox/ownership.js';
import { startSinkholeProcess, type SinkholeProcess } from '../../src/sandbox/sinkhole-process.js';
import { readSinkholeConfig } from '../../src/sinkholes/config.js';
import { treeCpuMs, type BenchNamespace } from '../sinkholes/servers.js';
import { LOG_FLUSH_MS, startAcceptDiscard, type AcceptDiscardServers, type Served } from './accept-discard.js';
import { forEachLedgerEntry } from '../../src/sinkholes/ledger.js';

export type SinkholeVariant = 'ours' | 'accept-discard';

export interface WorkerInput {
  readonly planFile: string;
  readonly resultFile: string;
  readonly rounds: number;
}

export interface BillRunFigures {
  readonly variant: SinkholeVariant;
  readonly round: number;
  /** The platform's bill run alone, from its start until it reported completion. */
  readonly billRunMs: number;
  /** The whole stage: profile dry run, scenario baseline, configuration, the bill run, the ledger digest. */
  readonly stageMs: number;
  readonly accounts: number;
  /** CPU the sinkhole processes used during the stage. */
  readonly sinkholeCpuMs: number;
  /**
   * CPU of the platform during the stage: the billing service and whatever else this process
   * started and reaped (children's user + system time). With `sinkholeCpuMs`, the steadier figure
   * on a shared machine, where the wall time swings with other work.
   */
  readonly platformCpuMs: number;
  /**
   * Mail, charges and switch connections the sinkholes took during the bill run: for ours the
   * ledger's entries, for accept-discard what smtp-sink counted and nginx logged. Equal counts
   * show the platform reached both alike.
   */
  readonly served: Served;
}

export interface WorkerOutput {
  readonly runs: BillRunFigures[];
  readonly error?: string;
}

const say = (line: string): void => void process.stderr.write(`${line}\n`);
const input = JSON.parse(process.argv[2] ?? '{}') as WorkerInput;
const plan = loadPlan(input.planFile);
const run = createRunFolder(plan.report.dir, plan.file);
/** When the platform reported its bill run complete, and how many accounts it processed: set through `progress`. */
const completion: { last?: { accounts: number; at: number } } = {};
const progress: Progress = {
  ...silentProgress,
  detail(text) {
    const done = /^bill run completed: (\d+) accounts/.exec(text);
    if (done !== null) completion.last = { accounts: Number(done[1]), at: Date.now() };
  },
};
function takeCompletion(): { accounts: number; at: number } | undefined {
  const last = completion.last;
  completion.last = undefined;
  return last;
}
const ctx: RunContext = { plan, run, progress, checks: [] };
const runs: BillRunFigures[] = [];

function writeOutput(output: WorkerOutput): void {
  writeFileSync(input.resultFile, `${JSON.stringify(output, null, 2)}\n`);
}

/** Puts the copy back as it was before the first bill run, so every bill run starts from the same state. */
async function resetCopy(): Promise<void> {
  const databasePath = run.state.databasePath;
  if (databasePath === undefined) throw new Error('the sandbox-cost bench runs on SQLite copies only');
  await ctx.engine?.close();
  ctx.engine = undefined;
  if (existsSync(`${databasePath}-wal`)) throw new Error(`${databasePath}-wal is still there after closing the copy`);
  copyFileSync(beforeBillRunPath(run.workDir), databasePath);
  rmSync(join(run.workDir, 'billing.sock'), { force: true });
  ctx.engine = await openRunCopy(plan, run.state);
}

async function rehearse(): Promise<void> {
  for (const stage of [isolate, restore, sanitize, prove]) await stage(ctx);
  const sandbox = ctx.sandbox!;
  const namespace: BenchNamespace = { name: sandbox.namespace.name, exec: sandbox.namespace.execPrefix };
  const configPath = join(run.dir, 'sandbox', 'sinkholes.json');
  const config = readSinkholeConfig(configPath);
  const cheapDir = join(run.workDir, 'accept-discard');
  // Our sinkholes as isolate started them; later rounds restart them with the same configuration.
  const isolatePid = readSandboxRecord(sandbox.namespace.name)?.sinkholePid;
  if (isolatePid === undefined) throw new Error('the sandbox recorded no sinkhole process');
  let ours: Pick<SinkholeProcess, 'pid' | 'stop'> = { pid: isolatePid, stop: async () => void process.kill(isolatePid, 'SIGTERM') };
  let oursRunning = true;
  let cheap: AcceptDiscardServers | undefined;
  for (let round = 0; round < input.rounds; round++) {
    const order: SinkholeVariant[] = round % 2 === 0 ? ['ours', 'accept-discard'] : ['accept-discard', 'ours'];
    for (const variant of order) {
      if (runs.length > 0) await resetCopy();
      if (variant === 'ours' && !oursRunning) {
        await cheap?.stop();
        cheap = undefined;
        ours = await startSinkholeProcess(sandbox.namespace.name, configPath);
        oursRunning = true;
      } else if (variant === 'accept-discard' && cheap === undefined) {
        if (oursRunning) await stopOurs(ours);
        oursRunning = false;
        rmSync(cheapDir, { recursive: true, force: true });
        mkdirSync(cheapDir, { recursive: true });
        cheap = await startAcceptDiscard(namespace, cheapDir, config);
      }
      const cpu = (): number => (variant === 'ours' ? treeCpuMs(ours.pid) : cheap!.cpuMs());
      const servedBefore = variant === 'ours' ? undefined : cheap!.served();
      takeCompletion();
      const cpuBefore = cpu();
      const reapedBefore = reapedChildrenCpuMs();
      const started = performance.now();
      await billRun(ctx);
      const stageMs = performance.now() - started;
      const startedAt = run.state.billRunStartedAt;
      const completed = takeCompletion();
      if (completed === undefined || startedAt === undefined) throw new Error('the bill run did not report its completion');
      let served: Served;
      if (variant === 'ours') {
        served = ledgerServed(sandbox.ledgerPath, startedAt);
      } else {
        await new Promise((resolve) => setTimeout(resolve, LOG_FLUSH_MS + 500));
        const after = cheap!.served();
        served = { mail: after.mail - servedBefore!.mail, payment: after.payment - servedBefore!.payment, provisioning: after.provisioning - servedBefore!.provisioning };
      }
      const figures: BillRunFigures = {
        variant,
        round: round + 1,
        billRunMs: completed.at - Date.parse(startedAt),
        stageMs,
        accounts: completed.accounts,
        sinkholeCpuMs: cpu() - cpuBefore,
        platformCpuMs: reapedChildrenCpuMs() - reapedBefore,
        served,
      };
      runs.push(figures);
      writeOutput({ runs, error: 'the bench did not finish' });
      say(`    round ${round + 1}, ${variant}: bill run ${(figures.billRunMs / 1000).toFixed(1)} s, sinkhole CPU ${(figures.sinkholeCpuMs / 1000).toFixed(1)} s, platform CPU ${(figures.platformCpuMs / 1000).toFixed(1)} s, served ${served.mail} mail, ${served.payment} charges, ${served.provisioning} switch connections`);
    }
  }
  await cheap?.stop();
}

async function stopOurs(sinkholes: Pick<SinkholeProcess, 'pid' | 'stop'>): Promise<void> {
  await sinkholes.stop();
  const deadline = Date.now() + 5000;
  while (existsSync(`/proc/${sinkholes.pid}`) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

const CLOCK_TICKS_PER_SECOND = 100;

/** User + system time of this process's children that have exited and been reaped (cutime, cstime), in ms. */
function reapedChildrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** What our sinkholes recorded since the bill run started. */
function ledgerServed(file: string, since: string): Served {
  const counts = { mail: 0, payment: 0, provisioning: 0 };
  forEachLedgerEntry(file, since, (entry) => {
    if (entry.kind !== 'tls') counts[entry.kind]++;
  });
  return counts;
}

async function cleanUp(): Promise<void> {
  await ctx.engine?.close();
  ctx.engine = undefined;
  await destroyRun(run);
}

process.once('SIGTERM', () => void cleanUp().finally(() => process.exit(143)));
let output: WorkerOutput;
try {
  await rehearse();
  output = { runs };
} catch (error) {
  output = { runs, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}
await cleanUp();
writeOutput(output);
