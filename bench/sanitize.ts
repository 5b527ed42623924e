import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SqliteEngine } from '../src/engine/sqlite.js';
import { sql, ident, join as joinSql, type Fragment, type SqlValue } from '../src/sql/fragment.js';
import { loadRuleSet, type TableRule } from '../src/sanitize/rules.js';
import { applyRules, dropFakeValueTables, prepareMasking, rowsPerSecond, updateFor, whereClause } from '../src/sanitize/apply.js';
import { DEFAULT_BATCH_ROWS } from '../src/sanitize/batches.js';
import { silentProgress } from '../src/ui/progress.js';
import { provePiiRemoved } from '../src/sanitize/proof.js';
import { runVendorScripts } from '../src/sanitize/vendor-scripts.js';
import { writeRunMarker } from '../src/run/marker.js';
import { benchMasker, RULES, SAFE_DOMAIN } from './sanitize-setup.js';
import { timeRowByRow } from './row-by-row.js';
import { MASKING_TO_JS_CALL_GOAL, ROW_BY_ROW_SPEEDUP_GOAL } from './goals.js';
import { benchmarkRoundTrips, ROUND_TRIP_SLICE, type RoundTripResult } from './round-trip/measure.js';

const CACHE = fileURLToPath(new URL('./.cache/', import.meta.url));
const BENCH_RUN = 'sanitize-bench';
/** The example plan's production mail server and switch, so the proof checks hosts as in a rehearsal. */
const PRODUCTION_HOSTS = ['mail.northwind-telecom.example', '192.0.2.10'];
/** Rows per table updated one at a time; the full-table figure is extrapolated from it. */
export const ROW_BY_ROW_SLICE = 20_000;
/** Registered by the benchmark only: returns its argument, so it measures crossing into JavaScript. */
const IDENTITY_FUNCTION = 'rehearsal_bench_identity';
const HASH_ONLY_FUNCTION = 'rehearsal_bench_hash_only';

export interface SanitizeBenchRule {
  /** 1-based position in the rule file; settings has several rules. */
  readonly rule: number;
  readonly table: string;
  readonly columns: readonly string[];
  readonly rows: number;
  readonly sanitizeMs: number;
  readonly rowsPerSecond: number;
  /** `UPDATE t SET c = c, ...` over the same rows and columns; the faster of a run before and after masking. */
  readonly noOpMs: number;
  /** `UPDATE t SET c = upper(c), ...`: a built-in C function per value, same length, every page written. */
  readonly sameLengthMs: number;
  /**
   * `UPDATE t SET c = rehearsal_bench_identity(lower(c)), ...` after the upper-case rewrite: the
   * same-length rewrite again, plus one call into JavaScript per value that does nothing.
   */
  readonly jsCallMs: number;
  /** The same again (after another upper-case rewrite) with the value's keyed hash computed in that call and thrown away. */
  readonly hashOnlyMs: number;
  /** `UPDATE t SET c = c || '.', ...`: every value really changes, so every page is written, with no masking work. */
  readonly rewriteMs: number;
  readonly rowByRowSliceRows: number;
  readonly rowByRowSliceMs: number;
  readonly rowByRowExtrapolatedMs: number;
}

export interface SanitizeBenchResult {
  readonly engine: 'sqlite';
  readonly rows: number;
  /** Creating and filling the run's fake-value tables, once per run. */
  readonly setupMs: number;
  /** The rules' set-based UPDATEs, summed. */
  readonly sanitizeMs: number;
  /** The vendor SQL scripts, after the rules, as the stage runs them. */
  readonly vendorMs: number;
  /** The PII proof over every text column of every table, after the vendor scripts. */
  readonly proofMs: number;
  /** setup + rules + vendor scripts + proof: the sanitize stage without its rule-file checks. */
  readonly stageMs: number;
  readonly noOpMs: number;
  readonly sameLengthMs: number;
  readonly jsCallMs: number;
  /** The same rewrite with the keyed hash of each value computed in that call (and thrown away). */
  readonly hashOnlyMs: number;
  readonly rewriteMs: number;
  /** In-process: SQLite has no round trip, so this is not the row-by-row goal's figure (see RoundTripResult). */
  readonly rowByRowExtrapolatedMs: number;
  /**
   * Information only. On SQLite `SET c = c` writes nothing: SQLite compares each new cell with
   * the old one and leaves identical pages clean, so this baseline is a scan, not a rewrite.
   */
  readonly sanitizeToNoOp: number;
  /** Against `upper(c)`: every value rewritten at the same length by a built-in function. */
  readonly sanitizeToSameLength: number;
  /**
   * Against a same-length rewrite through one call into JavaScript per value that does nothing:
   * the floor for masking in registered functions, since a keyed hash per value is the part that
   * cannot be avoided. Goal: at most MASKING_TO_JS_CALL_GOAL.
   */
  readonly sanitizeToJsCall: number;
  /**
   * The do-nothing-function rewrite with the keyed hash added, over that rewrite: what the part
   * no masking avoids costs on its own, i.e. how much of the goal's budget it leaves.
   */
  readonly hashOnlyToJsCall: number;
  /** The rules against that hash-only rewrite: what masking spends beyond the hash. */
  readonly sanitizeToHashOnly: number;
  /** Against a rewrite that really changes every value (and so writes every page). */
  readonly sanitizeToRewrite: number;
  readonly stageToNoOp: number;
  readonly stageToSameLength: number;
  /** In-process, information only; the goal is judged over a round trip (RoundTripResult). */
  readonly rowByRowToSanitize: number;
}

/**
 * Times the shipped rule set on a copy of `snapshotPath` (SQLite), in the stage's order: each
 * rule's set-based UPDATE, the vendor scripts, the PII proof. Then, on the same copy, the
 * baselines over the same rows and columns in the same per-rule transactions, and per-row
 * UPDATEs by rowid with the same masking on a slice of each table, extrapolated.
 */
export async function benchmarkSanitize(snapshotPath: string, workDir: string): Promise<SanitizeBenchResult> {
  const copy = join(workDir, 'sanitize-bench.db');
  copyFileSync(snapshotPath, copy);
  const engine = SqliteEngine.open(copy);
  try {
    const ruleSet = loadRuleSet(RULES);
    const masker = benchMasker();
    await writeRunMarker(engine, { runId: BENCH_RUN, createdAt: new Date().toISOString(), source: snapshotPath });
    const noOpBefore = await timeEach(engine, ruleSet.rules, (rule) => rewriteWith(rule, (c) => c));
    const setupStarted = performance.now();
    const masking = { ops: await prepareMasking(engine, masker), safeDomain: SAFE_DOMAIN };
    const setupMs = performance.now() - setupStarted;
    const masked = await timeEach(engine, ruleSet.rules, (rule) => updateFor(rule, masking));
    await dropFakeValueTables(engine);
    const vendorMs = await time(() => runVendorScripts(engine, BENCH_RUN, ruleSet.vendorScripts));
    const proofMs = await time(() => provePiiRemoved(engine, ruleSet, { safeDomain: SAFE_DOMAIN, productionHosts: PRODUCTION_HOSTS, allow: [] }));
    const noOpAfter = await timeEach(engine, ruleSet.rules, (rule) => rewriteWith(rule, (c) => c));
    const sameLength = await timeEach(engine, ruleSet.rules, (rule) => rewriteWith(rule, (c) => sql`upper(${c})`));
    engine.connection.function(IDENTITY_FUNCTION, { deterministic: true, directOnly: true }, (value: unknown) => value as SqlValue);
    const jsCall = await timeEach(engine, ruleSet.rules, (rule) => rewriteWith(rule, (c) => sql`${ident(IDENTITY_FUNCTION)}(lower(${c}))`));
    // Values back in upper case first, so this rewrite too changes every value (SQLite leaves an unchanged cell's page clean).
    await timeEach(engine, ruleSet.rules, (rule) => rewriteWith(rule, (c) => sql`upper(${c})`));
    engine.connection.function(HASH_ONLY_FUNCTION, { deterministic: true, directOnly: true }, (value: unknown) => {
      if (value !== null) masker.hash('keyed-hash', String(value));
      return value as SqlValue;
    });
    const hashOnly = await timeEach(engine, ruleSet.rules, (rule) => rewriteWith(rule, (c) => sql`${ident(HASH_ONLY_FUNCTION)}(lower(${c}))`));
    const rewrite = await timeEach(engine, ruleSet.rules, (rule) => rewriteWith(rule, (c) => sql`${c} || '.'`));
    const rules: SanitizeBenchRule[] = [];
    for (const [i, rule] of ruleSet.rules.entries()) {
      const sanitizeRun = masked[i] ?? { ms: 0, rows: 0 };
      const slice = await timeRowByRow(engine, rule, masker, ROW_BY_ROW_SLICE);
      rules.push({
        rule: rule.index + 1,
        table: rule.table,
        columns: rule.columns.map((c) => c.column),
        rows: sanitizeRun.rows,
        sanitizeMs: sanitizeRun.ms,
        rowsPerSecond: rowsPerSecond(sanitizeRun.rows, sanitizeRun.ms),
        noOpMs: Math.min(noOpBefore[i]?.ms ?? 0, noOpAfter[i]?.ms ?? 0),
        sameLengthMs: sameLength[i]?.ms ?? 0,
        jsCallMs: jsCall[i]?.ms ?? 0,
        hashOnlyMs: hashOnly[i]?.ms ?? 0,
        rewriteMs: rewrite[i]?.ms ?? 0,
        rowByRowSliceRows: slice.rows,
        rowByRowSliceMs: slice.ms,
        rowByRowExtrapolatedMs: slice.rows === 0 ? 0 : (slice.ms * sanitizeRun.rows) / slice.rows,
      });
    }
    const sum = (pick: (r: SanitizeBenchRule) => number): number => rules.reduce((n, r) => n + pick(r), 0);
    const rows = sum((r) => r.rows);
    const sanitizeMs = sum((r) => r.sanitizeMs);
    const noOpMs = sum((r) => r.noOpMs);
    const sameLengthMs = sum((r) => r.sameLengthMs);
    const jsCallMs = sum((r) => r.jsCallMs);
    const hashOnlyMs = sum((r) => r.hashOnlyMs);
    const rewriteMs = sum((r) => r.rewriteMs);
    const rowByRowExtrapolatedMs = sum((r) => r.rowByRowExtrapolatedMs);
    const stageMs = setupMs + sanitizeMs + vendorMs + proofMs;
    return {
      engine: 'sqlite',
      rows,
      setupMs,
      sanitizeMs,
      vendorMs,
      proofMs,
      stageMs,
      noOpMs,
      sameLengthMs,
      jsCallMs,
      hashOnlyMs,
      rewriteMs,
      rowByRowExtrapolatedMs,
      sanitizeToNoOp: sanitizeMs / noOpMs,
      sanitizeToSameLength: sanitizeMs / sameLengthMs,
      sanitizeToJsCall: sanitizeMs / jsCallMs,
      hashOnlyToJsCall: hashOnlyMs / jsCallMs,
      sanitizeToHashOnly: sanitizeMs / hashOnlyMs,
      sanitizeToRewrite: sanitizeMs / rewriteMs,
      stageToNoOp: stageMs / noOpMs,
      stageToSameLength: stageMs / sameLengthMs,
      rowByRowToSanitize: rowByRowExtrapolatedMs / sanitizeMs,
    };
  } finally {
    await engine.close();
    rmSync(copy, { force: true });
  }
}

/** `UPDATE t SET c = f(c), ...` over exactly the rule's rows and columns. */
function rewriteWith(rule: TableRule, f: (column: Fragment) => Fragment): Fragment {
  const assignments = rule.columns.map(({ column }) => sql`${ident(column)} = ${f(sql`${ident(column)}`)}`);
  return sql`UPDATE ${ident(rule.table)} SET ${joinSql(assignments, ', ')}${whereClause(rule)}`;
}

async function time(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function timeEach(engine: SqliteEngine, rules: readonly TableRule[], statement: (rule: TableRule) => Fragment): Promise<{ ms: number; rows: number }[]> {
  const times: { ms: number; rows: number }[] = [];
  for (const rule of rules) {
    const started = performance.now();
    const { rowsAffected } = await engine.transaction((tx) => tx.exec(statement(rule)));
    times.push({ ms: performance.now() - started, rows: rowsAffected });
  }
  return times;
}

const HELP = `Usage: node --import tsx bench/sanitize.ts [options]

Times the sanitize stage's work on a copy of a cached benchmark sample (SQLite): the rules'
set-based UPDATEs, the vendor scripts and the PII proof, against baselines over the same rows
and columns measured in the same run, and a row-by-row alternative on a ${ROW_BY_ROW_SLICE.toLocaleString('en-US')}-row slice
per table, extrapolated. Prints seconds and ratios; the ratios are what to compare.

Then, on another copy, row by row against set-based where a round trip exists: a small server
(bench/round-trip/server.ts) in a network namespace of its own, reached over a veth link, runs
the statements it is sent; row by row sends one UPDATE per row, set-based one UPDATE per rule,
over the same ${ROUND_TRIP_SLICE.toLocaleString('en-US')}-row slice per rule. Needs root. This kernel has no netem, so any
delay added with --round-trip-ms is waited out by the server (userland), not by the link.

Goals (issue 18): the rules' UPDATEs ≤ ${MASKING_TO_JS_CALL_GOAL}× the same-length rewrite through a do-nothing
JavaScript function; row by row over the round trip ≥ ${ROW_BY_ROW_SPEEDUP_GOAL}× set-based.

Options:
  --sizes <n,n,...>       accounts of cached samples in bench/.cache (default 100000);
                          make them with \`npm run bench -- --sizes <n>\`
  --snapshot <path>       a snapshot to use instead of --sizes
  --repeat <n>            runs per snapshot (default 1); the median of each figure is printed too
  --round-trip-ms <ms>    delay the server adds to every round trip, on top of the link's own
                          latency (default 0: the link's own only)
  --round-trip-rows <n>   rows per rule sent over the link (default ${ROUND_TRIP_SLICE.toLocaleString('en-US')})
  --in-process-only       skip the round-trip measurement (no root needed)
  --help                  this text`;

interface BenchRun {
  readonly local: SanitizeBenchResult;
  readonly roundTrip?: RoundTripResult;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '100000' },
      snapshot: { type: 'string' },
      repeat: { type: 'string', default: '1' },
      'round-trip-ms': { type: 'string', default: '0' },
      'round-trip-rows': { type: 'string', default: String(ROUND_TRIP_SLICE) },
      'in-process-only': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const repeat = Number(values.repeat);
  const addedDelayMs = Number(values['round-trip-ms']);
  const sliceRows = Number(values['round-trip-rows']);
  if (!Number.isInteger(repeat) || repeat < 1 || !(addedDelayMs >= 0) || !Number.isInteger(sliceRows) || sliceRows < 1) {
    throw new Error('--repeat and --round-trip-rows must be positive integers and --round-trip-ms a non-negative number');
  }
  const snapshots =
    values.snapshot !== undefined
      ? [resolve(values.snapshot)]
      : values.sizes.split(',').map((size) => join(CACHE, `sample-${Number(size)}-seed-1`, 'snapshot.db'));
  for (const snapshot of snapshots) {
    if (!existsSync(snapshot)) throw new Error(`No snapshot at ${snapshot}; make the sample with \`npm run bench -- --sizes <accounts>\` first`);
    const runs: BenchRun[] = [];
    for (let run = 1; run <= repeat; run++) {
      const dir = mkdtempSync(join(tmpdir(), 'rehearsal-sanitize-bench-'));
      try {
        const local = await benchmarkSanitize(snapshot, dir);
        runs.push(values['in-process-only'] ? { local } : { local, roundTrip: await benchmarkRoundTrips(snapshot, dir, { addedDelayMs, sliceRows }) });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      console.log(`${snapshot} run ${run}/${repeat}:\n${describe(runs.at(-1)!)}`);
    }
    if (repeat > 1) {
      const roundTrips = runs.flatMap((r) => (r.roundTrip !== undefined ? [r.roundTrip] : []));
      const middle: BenchRun = { local: median(runs.map((r) => r.local)), ...(roundTrips.length > 0 ? { roundTrip: median(roundTrips) } : {}) };
      console.log(`${snapshot} median of ${repeat} runs (each figure on its own):\n${describe(middle)}`);
    }
  }
}

/** Each numeric figure's median on its own; everything else from the first run. */
function median<T extends object>(results: readonly T[]): T {
  const first = results[0]!;
  const of = (key: keyof T): number => {
    const sorted = results.map((r) => r[key] as number).sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  };
  const numeric = (Object.keys(first) as (keyof T)[]).filter((k) => typeof first[k] === 'number');
  return { ...first, ...Object.fromEntries(numeric.map((k) => [k, of(k)])) };
}

function describe({ local: r, roundTrip }: BenchRun): string {
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const x = (ratio: number): string => `${ratio.toFixed(1)}×`;
  const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');
  const lines = [
    `  rows masked ${r.rows.toLocaleString('en-US')}`,
    `  stage work ${s(r.stageMs)}: fake-value tables ${s(r.setupMs)}, rules ${s(r.sanitizeMs)}, vendor scripts ${s(r.vendorMs)}, proof ${s(r.proofMs)}`,
    `  baselines over the rules' rows and columns: no-op (SET c = c) ${s(r.noOpMs)}, same-length rewrite (upper) ${s(r.sameLengthMs)}, ` +
      `lower through one JavaScript call per value ${s(r.jsCallMs)}, append a character ${s(r.rewriteMs)}`,
    `  rules / JavaScript call ${x(r.sanitizeToJsCall)} (goal ≤ ${MASKING_TO_JS_CALL_GOAL}×: ${verdict(r.sanitizeToJsCall <= MASKING_TO_JS_CALL_GOAL)}); ` +
      `the keyed hash alone (that call hashing each value) ${s(r.hashOnlyMs)} = ${x(r.hashOnlyToJsCall)} the call, the rules ${x(r.sanitizeToHashOnly)} the hash alone; ` +
      `for information: rules / no-op ${x(r.sanitizeToNoOp)}, rules / upper ${x(r.sanitizeToSameLength)}, rules / append ${x(r.sanitizeToRewrite)}`,
    `  stage work / no-op ${x(r.stageToNoOp)}, stage work / upper ${x(r.stageToSameLength)}`,
    `  row by row in-process (no round trip; extrapolated) ${s(r.rowByRowExtrapolatedMs)} = ${x(r.rowByRowToSanitize)} the rules (information only)`,
  ];
  if (roundTrip === undefined) return [...lines, '  row by row over a round trip: not measured (--in-process-only)'].join('\n');
  const ms = (value: number): string => `${value.toFixed(3)} ms`;
  const delay =
    roundTrip.addedDelayMs > 0
      ? `the link's own latency plus ${roundTrip.addedDelayMs} ms added per round trip by the server in userland (this kernel has no netem)`
      : "the link's own latency, nothing added";
  return [
    ...lines,
    `  round trip over veth + TCP to the server in its own namespace: median ${ms(roundTrip.roundTripMs)} of ${roundTrip.pings} pings (${delay})`,
    `  over that link, the same ${roundTrip.rows.toLocaleString('en-US')} rows (≤ ${roundTrip.sliceRows.toLocaleString('en-US')} per rule): set-based ${s(roundTrip.setBasedMs)} (one request per rule), ` +
      `row by row ${s(roundTrip.rowByRowMs)} (one request per row) = ${x(roundTrip.rowByRowToSetBased)} (goal ≥ ${ROW_BY_ROW_SPEEDUP_GOAL}×: ${verdict(roundTrip.rowByRowToSetBased >= ROW_BY_ROW_SPEEDUP_GOAL)})`,
  ].join('\n');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}

/** Batch sizes timed against one statement per table; the default is among them. */
export const BATCH_SIZES = [10_000, DEFAULT_BATCH_ROWS, 250_000] as const;
const SWEEP_ROUNDS = 2;

export interface BatchSweep {
  /** The shipped rules through applyRules with one batch per table (the unbatched path). */
  readonly oneStatementMs: number;
  readonly batches: readonly { readonly rows: number; readonly ms: number; readonly toOneStatement: number }[];
}

/**
 * The stage's own masking path (applyRules) on fresh copies of the snapshot, once with batches
 * larger than any table and once per batch size, so the cost of batching is a ratio measured in
 * the same run. On SQL Server a batch's size also bounds its transaction log, which this cannot show.
 */
export async function benchmarkBatchSizes(snapshotPath: string, workDir: string): Promise<BatchSweep> {
  const ruleSet = loadRuleSet(RULES);
  const masker = benchMasker();
  const timeWith = async (batchRows: number): Promise<number> => {
    const copy = join(workDir, `sanitize-batches-${batchRows}.db`);
    copyFileSync(snapshotPath, copy);
    const engine = SqliteEngine.open(copy);
    try {
      return await time(() => applyRules(engine, ruleSet, masker, SAFE_DOMAIN, silentProgress, { batchRows }));
    } finally {
      await engine.close();
      rmSync(copy, { force: true });
    }
  };
  // Interleaved rounds, the faster of each: the first copy pays for a cold page cache.
  const configurations = [Number.MAX_SAFE_INTEGER, ...BATCH_SIZES];
  const fastest = new Map<number, number>();
  for (let round = 0; round < SWEEP_ROUNDS; round++) {
    for (const rows of configurations) fastest.set(rows, Math.min(fastest.get(rows) ?? Infinity, await timeWith(rows)));
  }
  const oneStatementMs = fastest.get(Number.MAX_SAFE_INTEGER) ?? 0;
  return { oneStatementMs, batches: BATCH_SIZES.map((rows) => ({ rows, ms: fastest.get(rows) ?? 0, toOneStatement: (fastest.get(rows) ?? 0) / oneStatementMs })) };
}
