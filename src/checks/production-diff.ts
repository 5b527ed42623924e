import type { DatabaseEngine } from '../engine/types.js';
import { comparableAccounts, type ComparableAccountRow } from '../profiles/sample-platform.js';
import { MAX_EVIDENCE_ROWS, MAX_LISTED_ACCOUNTS, type CheckResult } from './types.js';
import { formatCents } from './money.js';

type Field = 'invoice total' | 'balance before payments' | 'next bill dates' | 'missing in rehearsal' | 'missing in production result';

interface Difference {
  readonly account: string;
  readonly field: Field;
  readonly production: string;
  readonly rehearsal: string;
  readonly size: number;
}

/**
 * Compares every account's bill-run outcome with production's own bill run on the old release.
 * Both sides are streamed in account-number order and merged in one pass: memory does not grow
 * with the number of accounts, only with the differences kept as evidence.
 */
export async function checkAgainstProduction(rehearsal: DatabaseEngine, production: DatabaseEngine, billDate: string, toleranceCents: number): Promise<CheckResult> {
  const left = rehearsal.stream<ComparableAccountRow>(comparableAccounts(rehearsal.dialect, billDate))[Symbol.asyncIterator]();
  const right = production.stream<ComparableAccountRow>(comparableAccounts(production.dialect, billDate))[Symbol.asyncIterator]();
  const counts = new Map<Field, number>();
  const affected = new Set<string>();
  let affectedCount = 0;
  const kept: Difference[] = [];
  let compared = 0;

  const record = (d: Difference): void => {
    counts.set(d.field, (counts.get(d.field) ?? 0) + 1);
    if (!affected.has(d.account)) {
      affectedCount++;
      if (affected.size < MAX_LISTED_ACCOUNTS) affected.add(d.account);
    }
    kept.push(d);
    if (kept.length > MAX_EVIDENCE_ROWS * 4) {
      kept.sort((a, b) => b.size - a.size);
      kept.length = MAX_EVIDENCE_ROWS;
    }
  };

  let a = await left.next();
  let b = await right.next();
  while (!a.done || !b.done) {
    if (b.done || (!a.done && a.value.account_number < b.value.account_number)) {
      const row = a.value as ComparableAccountRow;
      record({ account: row.account_number, field: 'missing in production result', production: '—', rehearsal: 'present', size: Number.MAX_SAFE_INTEGER });
      a = await left.next();
      continue;
    }
    if (a.done || b.value.account_number < a.value.account_number) {
      record({ account: b.value.account_number, field: 'missing in rehearsal', production: 'present', rehearsal: '—', size: Number.MAX_SAFE_INTEGER });
      b = await right.next();
      continue;
    }
    compared++;
    compareAccount(a.value, b.value, toleranceCents, record);
    a = await left.next();
    b = await right.next();
  }

  kept.sort((x, y) => y.size - x.size || x.account.localeCompare(y.account));
  const evidence = kept.slice(0, MAX_EVIDENCE_ROWS).map((d) => ({ account: d.account, field: d.field, production: d.production, rehearsal: d.rehearsal }));
  const byField = [...counts.entries()].map(([field, n]) => `${n} ${field}`).join(', ');
  const failed = affectedCount > 0;
  return {
    id: 'production-diff',
    title: 'Every account billed the same as production billed it on the old release',
    status: failed ? 'failed' : 'passed',
    summary: failed
      ? `${affectedCount} of ${compared} accounts differ from production (${byField}); largest differences below`
      : `${compared} accounts compared: invoice totals, balances before payments and next bill dates all match production${toleranceCents > 0 ? ` within ${formatCents(toleranceCents)}` : ''}`,
    ...(failed ? { affectedAccounts: [...affected], affectedCount } : {}),
    evidence,
  };
}

function compareAccount(r: ComparableAccountRow, p: ComparableAccountRow, tolerance: number, record: (d: Difference) => void): void {
  const account = r.account_number;
  const money = (field: Field, rv: number | null, pv: number | null): void => {
    const size = Math.abs((rv ?? 0) - (pv ?? 0));
    if ((rv === null) !== (pv === null) || size > tolerance) {
      record({ account, field, production: formatCents(pv), rehearsal: formatCents(rv), size });
    }
  };
  money('invoice total', r.invoice_total_cents, p.invoice_total_cents);
  // Payments are compared by the payments check against the sinkhole ledger; here only what was billed.
  money('balance before payments', r.balance_cents - r.bill_run_payments_cents, p.balance_cents - p.bill_run_payments_cents);
  if ((r.next_bill_dates ?? '') !== (p.next_bill_dates ?? '')) {
    record({ account, field: 'next bill dates', production: p.next_bill_dates ?? '—', rehearsal: r.next_bill_dates ?? '—', size: 0 });
  }
}
