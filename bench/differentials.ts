import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { generateSnapshot } from '../sample-platform/generator/generate.js';
import { SqliteEngine } from '../src/engine/sqlite.js';
import { checkAgainstProduction } from '../src/checks/production-diff.js';
import { withSqliteDifferingAccounts } from '../src/differential/differing-accounts-sqlite.js';
import { computeStateDifferential } from '../src/differential/state-differential.js';
import { differentialRules } from '../src/differential/rules.js';
import { Profile } from '../src/platform/profile.js';
import { loadAdapter } from '../src/platform/load-adapter.js';
import { PROJECT_ROOT } from '../src/runtime/typescript-process.js';
import { ownPeakKb, resetOwnPeak } from './process-memory.js';
import { readLedgers, scanEveryTable, scanResultTables } from './verify.js';
import { synthesizeBillRun } from './synthetic-bill-run.js';
import { compareSyntheticLedgers, maskedAddress, productionAddress, writeSyntheticLedger } from './outbound-synthetic.js';

export interface Measured {
  readonly name: string;
  readonly wallMs: number;
  /** This process's CPU time (user + system): SQLite runs inside it, so this is the work done, whatever else loads the machine. */
  readonly cpuMs: number;
  readonly peakMb: number;
  readonly baseline?: string;
}

async function measure(name: string, work: () => unknown, baseline?: string): Promise<Measured> {
  resetOwnPeak();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { name, wallMs, cpuMs: (used.user + used.system) / 1000, peakMb: ownPeakKb() / 1024, ...(baseline !== undefined ? { baseline } : {}) };
}

const BILL_DATE = '2026-11-01';

/** The snapshot, production's result and the billed copy at `accounts`, made once and kept in `dir`. */
function syntheticResults(dir: string, accounts: number, say: (line: string) => void): { snapshot: string; production: string; billed: string } {
  mkdirSync(dir, { recursive: true });
  const snapshot = join(dir, `snapshot-${accounts}.db`);
  const production = join(dir, `result-${accounts}.db`);
  if (!existsSync(snapshot)) {
    say(`generating the ${accounts.toLocaleString('en-US')}-account snapshot`);
    rmSync(`${snapshot}.partial`, { force: true });
    generateSnapshot({ accounts, seed: 1, billDate: BILL_DATE, out: `${snapshot}.partial` });
    renameSync(`${snapshot}.partial`, snapshot);
  }
  if (!existsSync(production)) {
    say('billing a copy by SQL (synthetic bill run)');
    copyFileSync(snapshot, `${production}.partial`);
    synthesizeBillRun(`${production}.partial`, BILL_DATE);
    renameSync(`${production}.partial`, production);
  }
  // One billed copy per process: parts may run side by side.
  const billed = join(dir, `billed-${accounts}-${process.pid}.db`);
  copyFileSync(production, billed);
  return { snapshot, production, billed };
}

/**
 * The three differentials at `accounts` against their scan baselines, on a synthetic bill run (the
 * billed copy equal to production's result: the GO case, where nothing may be skipped) and
 * synthetic ledgers. Each figure is one measurement in this process, after a warming scan.
 */
export const DIFFERENTIAL_PARTS = ['production-diff', 'state', 'outbound'] as const;
export type DifferentialPart = (typeof DIFFERENTIAL_PARTS)[number];

async function benchmarkDifferentials(cacheDir: string, accounts: number, say: (line: string) => void, parts: ReadonlySet<DifferentialPart> = new Set(DIFFERENTIAL_PARTS)): Promise<Measured[]> {
  const files = parts.has('production-diff') || parts.has('state') ? syntheticResults(join(cacheDir, 'differentials'), accounts, say) : undefined;
  const profile = new Profile(loadAdapter(join(PROJECT_ROOT, 'platforms/sample')));
  const out: Measured[] = [];
  const push = (m: Measured): void => {
    out.push(m);
    say(`  ${m.name}: ${(m.wallMs / 1000).toFixed(2)} s wall, ${(m.cpuMs / 1000).toFixed(2)} s CPU, peak ${m.peakMb.toFixed(0)} MB`);
  };
  try {
    if (files !== undefined && parts.has('production-diff')) await productionDiffFigures(files, profile, push);
    if (files !== undefined && parts.has('state')) await stateFigures(files, push);
    if (parts.has('outbound')) await outboundFigures(cacheDir, accounts, push);
  } finally {
    if (files !== undefined) rmSync(files.billed, { force: true });
  }
  return out;
}

export interface DifferentialsBenchOptions {
  readonly sizes: readonly number[];
  /** The synthetic bill runs are made here once and reused. */
  readonly cacheDir: string;
  /** One JSON file per bench run. */
  readonly resultsDir: string;
  readonly parts: ReadonlySet<DifferentialPart>;
  /** When `npm run bench` started: it names the results file. */
  readonly startedAt: number;
  readonly say: (line: string) => void;
}

export interface DifferentialsBenchResult {
  readonly accounts: number;
  readonly figures: Measured[];
}

/** `npm run bench -- --only differentials`: every size's figures, printed as a table and written to the results folder. */
export async function runDifferentialsBench(options: DifferentialsBenchOptions): Promise<{ results: DifferentialsBenchResult[]; resultsFile: string }> {
  const results: DifferentialsBenchResult[] = [];
  for (const accounts of options.sizes) {
    options.say(`▶ ${accounts.toLocaleString('en-US')} accounts: differentials`);
    const figures = await benchmarkDifferentials(options.cacheDir, accounts, options.say, options.parts);
    results.push({ accounts, figures });
    options.say(differentialsTable(figures));
  }
  mkdirSync(options.resultsDir, { recursive: true });
  const started = new Date(options.startedAt).toISOString();
  const resultsFile = join(options.resultsDir, `differentials-${process.pid}-${started.replaceAll(':', '-').replace('.', '-')}.json`);
  writeFileSync(resultsFile, `${JSON.stringify({ startedAt: started, loadAverage: loadavg(), results }, null, 2)}\n`);
  return { results, resultsFile };
}

type Push = (m: Measured) => void;
interface Files {
  readonly snapshot: string;
  readonly production: string;
  readonly billed: string;
}

async function productionDiffFigures(files: Files, profile: Profile, push: Push): Promise<void> {
  scanResultTables([files.billed, files.production]);
  push(await measure('scan: production-diff tables of both results', () => scanResultTables([files.billed, files.production])));
  const rehearsal = SqliteEngine.open(files.billed, { readonly: true });
  const production = SqliteEngine.open(files.production, { readonly: true });
  try {
    const merged = await checkAgainstProduction(rehearsal, production, BILL_DATE, 0, profile);
    push(await measure('production diff, streaming merge', () => checkAgainstProduction(rehearsal, production, BILL_DATE, 0, profile), 'scan: production-diff tables of both results'));
    let onServer = merged;
    push(
      await measure(
        'production diff, inside SQLite',
        async () => (onServer = await checkAgainstProduction(rehearsal, production, BILL_DATE, 0, profile, (use) => withSqliteDifferingAccounts(files.billed, files.production, profile, BILL_DATE, use))),
        'scan: production-diff tables of both results',
      ),
    );
    if (merged.status !== 'passed' || onServer.summary !== merged.summary) throw new Error(`the production diff should pass both ways: ${merged.summary} / ${onServer.summary}`);
  } finally {
    await rehearsal.close();
    await production.close();
  }
}

async function stateFigures(files: Files, push: Push): Promise<void> {
  const three = [files.billed, files.snapshot, files.production];
  scanEveryTable(three);
  push(await measure('scan: every table of the three databases', () => scanEveryTable(three)));
  let state: Awaited<ReturnType<typeof computeStateDifferential>> | undefined;
  push(
    await measure(
      'state differential',
      async () => (state = await computeStateDifferential({ billed: files.billed, beforeBillRun: files.snapshot, productionMasked: files.production, rules: differentialRules([]), accounts: { table: 'accounts', key: 'account_number' }, releases: { main: undefined, prod: undefined } })),
      'scan: every table of the three databases',
    ),
  );
  if (state === undefined || state.summary.rows !== 0) throw new Error(`the state differential should find nothing: ${state?.summary.rows} rows`);
}

async function outboundFigures(cacheDir: string, accounts: number, push: Push): Promise<void> {
  const ledgers = [join(cacheDir, 'differentials', `production-${accounts}-${process.pid}.jsonl`), join(cacheDir, 'differentials', `rehearsal-${accounts}-${process.pid}.jsonl`)] as const;
  mkdirSync(join(cacheDir, 'differentials'), { recursive: true });
  writeSyntheticLedger(ledgers[0], accounts, productionAddress);
  writeSyntheticLedger(ledgers[1], accounts, maskedAddress);
  readLedgers([...ledgers]);
  push(await measure('read: both ledgers, every line parsed', () => readLedgers([...ledgers])));
  let outbound: Awaited<ReturnType<typeof compareSyntheticLedgers>> = [];
  push(await measure('outbound differential (synthetic ledgers)', async () => (outbound = await compareSyntheticLedgers(ledgers[1], ledgers[0], accounts)), 'read: both ledgers, every line parsed'));
  const failed = outbound.filter((r) => r.status !== 'passed');
  if (failed.length > 0) throw new Error(`the outbound checks should pass: ${failed.map((r) => r.summary).join('; ')}`);
  for (const ledger of ledgers) rmSync(ledger, { force: true });
}

/** The figures as a Markdown table, each with its ratio to its baseline (wall and CPU). */
function differentialsTable(figures: readonly Measured[]): string {
  const byName = new Map(figures.map((f) => [f.name, f]));
  const rows = figures.map((f) => {
    const base = f.baseline === undefined ? undefined : byName.get(f.baseline);
    const ratio = (a: number, b: number | undefined): string => (b === undefined ? '—' : `${(a / b).toFixed(2)}×`);
    return `| ${f.name} | ${(f.wallMs / 1000).toFixed(2)} | ${(f.cpuMs / 1000).toFixed(2)} | ${ratio(f.wallMs, base?.wallMs)} | ${ratio(f.cpuMs, base?.cpuMs)} | ${f.peakMb.toFixed(0)} |`;
  });
  return ['| measured | wall s | CPU s | wall ratio to its scan | CPU ratio to its scan | peak MB (process) |', '|---|--:|--:|--:|--:|--:|', ...rows].join('\n');
}
