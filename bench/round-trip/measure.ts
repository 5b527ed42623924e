import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadRuleSet } from '../../src/sanitize/rules.js';
import { updateFor } from '../../src/sanitize/apply.js';
import { sqliteMaskOps } from '../../src/sanitize/mask-sql.js';
import { benchMasker, RULES, SAFE_DOMAIN } from '../sanitize-setup.js';
import { sliceOf, timeRowByRow } from '../row-by-row.js';
import { openRoundTripLink } from './link.js';
import { median } from '../median.js';

/** Rows per rule sent row by row over the link; the set-based UPDATE it is compared with covers the same rows. */
export const ROUND_TRIP_SLICE = 2_000;
const WARM_UP_PINGS = 50;
const PINGS = 200;

export interface RoundTripOptions {
  /** Added to every round trip by the server (userland), on top of the link's own latency. */
  readonly addedDelayMs?: number;
  readonly sliceRows?: number;
}

export interface RoundTripRule {
  readonly rule: number;
  readonly table: string;
  readonly rows: number;
  /** The rule's set-based UPDATE restricted to the slice: one request, its second run. */
  readonly setBasedMs: number;
  /** Read the slice (one request), then one UPDATE request per row, in one transaction. */
  readonly rowByRowMs: number;
}

export interface RoundTripResult {
  /** The namespace the server ran in; removed before the result is returned. */
  readonly namespace: string;
  /** Median of the pings over the connection the statements use: veth, TCP, both processes, and the added delay. */
  readonly roundTripMs: number;
  readonly addedDelayMs: number;
  readonly pings: number;
  readonly sliceRows: number;
  readonly rows: number;
  readonly setBasedMs: number;
  readonly rowByRowMs: number;
  /** Goal: at least 50. */
  readonly rowByRowToSetBased: number;
  readonly rules: readonly RoundTripRule[];
}

/**
 * The shipped rules on a copy of `snapshotPath` served by the round-trip server in a network
 * namespace of its own: per rule, the set-based UPDATE of a slice (one request, as the stage
 * sends one statement per batch) and the same slice row by row (one request per row). Needs root.
 */
export async function benchmarkRoundTrips(snapshotPath: string, workDir: string, options: RoundTripOptions = {}): Promise<RoundTripResult> {
  const addedDelayMs = options.addedDelayMs ?? 0;
  const sliceRows = options.sliceRows ?? ROUND_TRIP_SLICE;
  const copy = join(workDir, 'round-trip.db');
  copyFileSync(snapshotPath, copy);
  const link = await openRoundTripLink(copy, addedDelayMs);
  try {
    const { client } = link;
    for (let i = 0; i < WARM_UP_PINGS; i++) await client.ping();
    const pings: number[] = [];
    for (let i = 0; i < PINGS; i++) {
      const started = performance.now();
      await client.ping();
      pings.push(performance.now() - started);
    }
    const ruleSet = loadRuleSet(RULES);
    const masker = benchMasker();
    const masking = { ops: sqliteMaskOps, safeDomain: SAFE_DOMAIN };
    const rules: RoundTripRule[] = [];
    for (const rule of ruleSet.rules) {
      const statement = updateFor(rule, masking, sliceOf(rule, sliceRows));
      // Once untimed: the first run compiles the statement and warms the server's hash functions,
      // which a stage pays once per rule and a small slice would magnify.
      await client.transaction((tx) => tx.exec(statement));
      const started = performance.now();
      const { rowsAffected } = await client.transaction((tx) => tx.exec(statement));
      const setBasedMs = performance.now() - started;
      const rowByRow = await timeRowByRow(client, rule, masker, sliceRows);
      if (rowByRow.rows !== rowsAffected) throw new Error(`${rule.table}: row by row masked ${rowByRow.rows} rows of the slice, the set-based UPDATE ${rowsAffected}`);
      rules.push({ rule: rule.index + 1, table: rule.table, rows: rowsAffected, setBasedMs, rowByRowMs: rowByRow.ms });
    }
    const setBasedMs = rules.reduce((sum, r) => sum + r.setBasedMs, 0);
    const rowByRowMs = rules.reduce((sum, r) => sum + r.rowByRowMs, 0);
    return {
      namespace: link.namespace,
      roundTripMs: median(pings),
      addedDelayMs,
      pings: PINGS,
      sliceRows,
      rows: rules.reduce((sum, r) => sum + r.rows, 0),
      setBasedMs,
      rowByRowMs,
      rowByRowToSetBased: rowByRowMs / setBasedMs,
      rules,
    };
  } finally {
    await link.close();
    rmSync(copy, { force: true });
  }
}
