import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT, typescriptCommand } from '../../src/runtime/typescript-process.js';
import { createRunCa } from '../../src/sinkholes/ca.js';
import { forEachLedgerEntry, type LedgerKind } from '../../src/sinkholes/ledger.js';
import { machineInfo, sourceState } from '../machine.js';
import type { MachineInfo, SourceState } from '../results.js';
import { WORKLOADS, type LoadResult, type LoadSpec, type Workload } from './load.js';
import { median } from '../median.js';
import {
  createBenchNamespace,
  NGINX,
  PORTS,
  removeBenchNamespace,
  SERVER_NAME,
  SMTP_SINK,
  startNginx,
  startOurSinkholes,
  startNodeFloor,
  startSmtpSink,
  type BenchNamespace,
  type RunningServer,
} from './servers.js';

export const SINKHOLE_RESULTS_SCHEMA_VERSION = 1;
/** The issue's goals: at least half the reference's throughput, at most twice its p99 latency. */
export const THROUGHPUT_GOAL = 0.5;
export const P99_GOAL = 2;

export interface SinkholeBenchSettings {
  readonly rounds: number;
  readonly warmupMs: number;
  readonly durationMs: number;
  readonly concurrency: number;
}

export const DEFAULT_SINKHOLE_SETTINGS: SinkholeBenchSettings = { rounds: 3, warmupMs: 1000, durationMs: 3000, concurrency: 8 };

export const REFERENCE_OF: Readonly<Record<Workload, string>> = {
  smtp: "postfix's smtp-sink",
  'https-handshake': 'nginx (one worker, same certificate)',
  'https-keepalive': 'nginx (one worker, same certificate)',
  tcp: 'nginx stream, read first bytes and close (one worker)',
};

export interface ServerRound {
  readonly load: LoadResult;
  /** CPU the server used during the round (warm-up and drain included), per operation it finished. */
  readonly serverCpuUsPerOp: number;
}

export type ServerRole = 'ours' | 'reference' | 'floor';

export interface Round {
  readonly ours: ServerRound;
  readonly reference: ServerRound;
  /** Plain Node recording nothing (HTTPS and TCP only): how much of a gap is the runtime's. */
  readonly floor?: ServerRound;
  /** The order the servers ran in; it rotates between rounds so drift in the machine's load hits each. */
  readonly order: readonly ServerRole[];
}

export interface WorkloadFigures {
  readonly workload: Workload;
  readonly reference: string;
  readonly concurrency: number;
  readonly rounds: readonly Round[];
  /** Medians over the rounds of ours / reference, each ratio taken within one round. */
  readonly throughputRatio: number;
  readonly p99Ratio: number;
  /** Median over the rounds of ours / plain Node's throughput, where the floor was measured. */
  readonly floorRatio?: number;
  readonly met: boolean;
}

export interface LedgerCheck {
  /** Entries per kind our sinkholes wrote, and what the load client finished against them. */
  readonly written: Readonly<Record<LedgerKind, number>>;
  readonly expected: Readonly<Record<LedgerKind, number>>;
  readonly complete: boolean;
}

export interface SinkholeBenchResults {
  readonly schemaVersion: number;
  readonly command: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly settings: SinkholeBenchSettings;
  readonly machine: MachineInfo;
  readonly source: SourceState;
  /** 1-minute load average before and after: other work on the machine skews the absolute figures. */
  readonly loadAverage: readonly [number, number];
  readonly workloads: readonly WorkloadFigures[];
  readonly ledger: LedgerCheck;
}

export interface SinkholeBenchOptions {
  readonly settings: SinkholeBenchSettings;
  readonly workloads?: readonly Workload[];
  readonly resultsDir: string;
  readonly command: string;
  readonly say: (line: string) => void;
}

export function figuresOf(workload: Workload, concurrency: number, rounds: readonly Round[]): WorkloadFigures {
  // A round where a server finished nothing in its window (a machine too loaded for a tiny run) has no ratio.
  const measured = rounds.filter((r) => r.ours.load.completed > 0 && r.reference.load.completed > 0);
  const throughputRatio = measured.length > 0 ? median(measured.map((r) => r.ours.load.perSecond / r.reference.load.perSecond)) : 0;
  const p99Ratio = measured.length > 0 ? median(measured.map((r) => r.ours.load.p99Ms / r.reference.load.p99Ms)) : 0;
  const floors = measured.flatMap((r) => (r.floor !== undefined && r.floor.load.perSecond > 0 ? [r.ours.load.perSecond / r.floor.load.perSecond] : []));
  const clean = rounds.every((r) => r.ours.load.errors === 0 && r.reference.load.errors === 0);
  return {
    workload,
    reference: REFERENCE_OF[workload],
    concurrency,
    rounds,
    throughputRatio,
    p99Ratio,
    ...(floors.length > 0 ? { floorRatio: median(floors) } : {}),
    met: clean && measured.length > 0 && throughputRatio >= THROUGHPUT_GOAL && p99Ratio <= P99_GOAL,
  };
}

function missingTools(): string[] {
  return [SMTP_SINK, NGINX].filter((tool) => !existsSync(tool));
}

/** Runs the load client in its own process inside the namespace, so it never shares an event loop with a server. */
function runLoadWorker(namespace: BenchNamespace, spec: LoadSpec): Promise<LoadResult> {
  const worker = typescriptCommand(join(PROJECT_ROOT, 'bench/sinkholes/load-worker.ts'), [JSON.stringify(spec)]);
  const child = spawn(namespace.exec[0]!, [...namespace.exec.slice(1), worker.command, ...worker.args], { stdio: ['ignore', 'pipe', 'pipe'], env: worker.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => void (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as LoadResult);
      else reject(new Error(`the load client failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`));
    });
  });
}

async function measure(namespace: BenchNamespace, server: RunningServer, spec: LoadSpec): Promise<ServerRound> {
  const cpuBefore = server.cpuMs();
  const load = await runLoadWorker(namespace, spec);
  const operations = load.completed + load.warmupCompleted + load.drained;
  return { load, serverCpuUsPerOp: operations > 0 ? ((server.cpuMs() - cpuBefore) * 1000) / operations : 0 };
}

/** Entries per kind; a message counts only with the amount its text states (the load client's mails all state 42.17). */
function countLedger(file: string): Record<LedgerKind, number> {
  const counts: Record<LedgerKind, number> = { mail: 0, payment: 0, provisioning: 0, tls: 0 };
  forEachLedgerEntry(file, undefined, (entry) => {
    if (entry.kind !== 'mail' || entry.amountStated === '42.17') counts[entry.kind]++;
  });
  return counts;
}

/** Every operation our sinkholes finished must be in the ledger: the speed may not come from recording less. */
export function ledgerCheck(written: Record<LedgerKind, number>, workloads: readonly WorkloadFigures[]): LedgerCheck {
  const finished = (workload: Workload): number =>
    workloads.filter((w) => w.workload === workload).reduce((sum, w) => sum + w.rounds.reduce((s, r) => s + r.ours.load.completed + r.ours.load.warmupCompleted + r.ours.load.drained, 0), 0);
  const expected: Record<LedgerKind, number> = {
    mail: finished('smtp'),
    payment: finished('https-handshake') + finished('https-keepalive'),
    provisioning: finished('tcp'),
    // One TLS entry per connection: one per handshake, plus the kept-alive connections the client
    // opened (not counted by it), so the TLS count must be at least the handshakes.
    tls: finished('https-handshake'),
  };
  const complete =
    written.mail === expected.mail && written.payment === expected.payment && written.provisioning === expected.provisioning && written.tls >= expected.tls;
  return { written, expected, complete };
}

/** Starts our sinkholes and the reference servers in a namespace and measures each workload, alternating servers round by round. */
export async function runSinkholeBench(options: SinkholeBenchOptions): Promise<{ results: SinkholeBenchResults; resultsFile: string }> {
  const missing = missingTools();
  if (missing.length > 0) {
    throw new Error(`the reference servers are not installed (${missing.join(', ')}); run: sudo bash scripts/install-system-deps.sh --with-bench-tools`);
  }
  const startedAt = new Date().toISOString();
  const loadBefore = loadavg()[0] ?? 0;
  const { settings } = options;
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-sinkhole-bench-'));
  const namespace = createBenchNamespace();
  const servers: RunningServer[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanUp = (): Promise<void> =>
    (cleaning ??= (async () => {
      for (const server of servers) await server.stop();
      await removeBenchNamespace(namespace);
      rmSync(dir, { recursive: true, force: true });
    })());
  // Ctrl-C must not leave the namespace and the reference servers behind.
  const interrupted = (): void => void cleanUp().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const ca = await createRunCa(join(dir, 'ca'), 'sinkhole-bench', [SERVER_NAME, '127.0.0.1']);
    const caPem = readFileSync(ca.caCertPath, 'utf8');
    const ours = await startOurSinkholes(namespace, dir, ca.dir);
    servers.push(ours);
    const smtpSink = await startSmtpSink(namespace);
    servers.push(smtpSink);
    const nginx = await startNginx(namespace, dir, ca.dir);
    servers.push(nginx);
    const floor = await startNodeFloor(namespace, ca.dir);
    servers.push(floor);

    type Target = { readonly server: RunningServer; readonly port: number };
    const targets: Record<Workload, Partial<Record<ServerRole, Target>>> = {
      smtp: { ours: { server: ours, port: PORTS.ours.smtp }, reference: { server: smtpSink, port: PORTS.reference.smtp } },
      'https-handshake': { ours: { server: ours, port: PORTS.ours.https }, reference: { server: nginx, port: PORTS.reference.https }, floor: { server: floor, port: PORTS.floor.https } },
      'https-keepalive': { ours: { server: ours, port: PORTS.ours.https }, reference: { server: nginx, port: PORTS.reference.https }, floor: { server: floor, port: PORTS.floor.https } },
      tcp: { ours: { server: ours, port: PORTS.ours.tcp }, reference: { server: nginx, port: PORTS.reference.tcp }, floor: { server: floor, port: PORTS.floor.tcp } },
    };
    const workloads: WorkloadFigures[] = [];
    for (const workload of options.workloads ?? WORKLOADS) {
      const target = targets[workload];
      const spec = (port: number): LoadSpec => ({
        workload,
        host: '127.0.0.1',
        port,
        concurrency: settings.concurrency,
        warmupMs: settings.warmupMs,
        durationMs: settings.durationMs,
        ca: caPem,
        serverName: SERVER_NAME,
      });
      const rounds: Round[] = [];
      const roles = (['ours', 'reference', 'floor'] as const).filter((role) => target[role] !== undefined);
      for (let round = 0; round < settings.rounds; round++) {
        const order = [...roles.slice(round % roles.length), ...roles.slice(0, round % roles.length)];
        const measured: Partial<Record<ServerRole, ServerRound>> = {};
        for (const role of order) measured[role] = await measure(namespace, target[role]!.server, spec(target[role]!.port));
        const result: Round = { ours: measured.ours!, reference: measured.reference!, ...(measured.floor ? { floor: measured.floor } : {}), order };
        rounds.push(result);
        const line = (role: ServerRole): string => {
          const load = measured[role]?.load;
          return load === undefined ? '' : `${role} ${load.perSecond.toFixed(0)}/s p99 ${load.p99Ms.toFixed(1)} ms${load.errors > 0 ? ` (${load.errors} errors: ${load.firstError ?? ''})` : ''}`;
        };
        options.say(`    ${workload} round ${round + 1}: ${roles.map(line).join(', ')}`);
      }
      const figures = figuresOf(workload, settings.concurrency, rounds);
      options.say(
        `  ${figures.met ? '✔' : '✘'} ${workload}: ${figures.throughputRatio.toFixed(2)}× the reference's throughput, p99 ${figures.p99Ratio.toFixed(2)}×` +
          `${figures.floorRatio !== undefined ? `; ${figures.floorRatio.toFixed(2)}× plain Node's throughput` : ''}`,
      );
      workloads.push(figures);
    }
    await ours.stop();
    const ledger = ledgerCheck(countLedger(ours.ledger), workloads);
    const results: SinkholeBenchResults = {
      schemaVersion: SINKHOLE_RESULTS_SCHEMA_VERSION,
      command: options.command,
      startedAt,
      finishedAt: new Date().toISOString(),
      settings,
      machine: machineInfo(),
      source: sourceState(PROJECT_ROOT),
      loadAverage: [loadBefore, loadavg()[0] ?? 0],
      workloads,
      ledger,
    };
    mkdirSync(options.resultsDir, { recursive: true });
    const resultsFile = join(options.resultsDir, `${startedAt.replace(/[:.]/g, '-')}.json`);
    writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
    return { results, resultsFile };
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await cleanUp();
  }
}

/** The newest sinkhole results in `dir`, for BENCHMARKS.md. */
export function latestSinkholeResults(dir: string): SinkholeBenchResults | undefined {
  if (!existsSync(dir)) return undefined;
  const newest = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .at(-1);
  if (newest === undefined) return undefined;
  const results = JSON.parse(readFileSync(join(dir, newest), 'utf8')) as SinkholeBenchResults;
  return results.schemaVersion === SINKHOLE_RESULTS_SCHEMA_VERSION ? results : undefined;
}
