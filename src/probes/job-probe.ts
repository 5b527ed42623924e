import { readLedger } from '../sinkholes/ledger.js';
import type { JobProbe, LedgerExpectation } from './types.js';
import type { ProbeFinding, ProbeRunContext } from './context.js';
import { compareAccounts, describeAccounts } from './ledger-accounts.js';
import { readOnlyQuery } from './read-only-query.js';

const ACCOUNTS_QUERY = 'an `accounts` query';

/**
 * Runs one of the platform's other services for a bounded time, then stops it, and judges what it
 * sent by the sinkholes' ledger over exactly that window: provisioning that billing does not
 * trigger shows up as attempts at the switch sinkholes. With `accounts`, the accounts it had to
 * reach are read from the copy just before it starts, since the job changes what the query would
 * return. What it wrote stays in the copy, for the `sql` probes that follow.
 */
export async function runJobProbe(probe: JobProbe, ctx: ProbeRunContext): Promise<ProbeFinding> {
  const listed = new Map<LedgerExpectation, string[]>();
  for (const l of probe.expect.ledger) {
    if (l.accounts === undefined) continue;
    const read = await expectedAccounts(l.accounts, ctx);
    if ('error' in read) return { outcome: 'error', summary: `the ${l.kind} \`accounts\` query: ${read.error}`, evidence: [] };
    listed.set(l, read.accounts);
  }
  const from = new Date().toISOString();
  const ran = await ctx.services.runFor(probe.service, probe.seconds);
  const entries = readLedger(ctx.ledgerPath, from).filter((e) => e.kind !== 'tls');
  const results = probe.expect.ledger.flatMap((l) => {
    const ofKind = entries.filter((e) => e.kind === l.kind);
    const n = ofKind.length;
    const rows: { expected: string; actual: string; met: boolean }[] = [];
    if (l.min !== undefined || l.max !== undefined) {
      const met = (l.min === undefined || n >= l.min) && (l.max === undefined || n <= l.max);
      const expected = `${l.kind} ${l.min !== undefined ? `≥ ${l.min}` : ''}${l.min !== undefined && l.max !== undefined ? ' and ' : ''}${l.max !== undefined ? `≤ ${l.max}` : ''}`;
      rows.push({ expected, actual: `${n}`, met });
    }
    const accounts = listed.get(l);
    if (accounts !== undefined) {
      const comparison = compareAccounts(accounts, ofKind.map((e) => e.account));
      rows.push({ expected: `${l.kind} to exactly the ${accounts.length} account row(s) the query listed`, actual: describeAccounts(comparison), met: comparison.met });
    }
    return rows;
  });
  const service = { service: probe.service, ran: `${probe.seconds} s`, exit: ran.exitedEarly ? `exited early with code ${ran.exitCode}` : 'stopped', accounts: [...new Set(entries.map((e) => e.account).filter((a) => a !== undefined))].slice(0, 10).join(', ') };
  if (ran.exitedEarly && ran.exitCode !== 0) return { outcome: 'error', summary: `${probe.service} exited with code ${ran.exitCode} before its ${probe.seconds} s: ${ran.log}`, evidence: [service, ...results] };
  const unmet = results.filter((r) => !r.met);
  if (unmet.length > 0) Object.assign(service, { log: ran.log });
  return {
    outcome: unmet.length === 0 ? 'passed' : 'failed',
    summary: unmet.length === 0 ? `${probe.service} ran ${probe.seconds} s; the sinkholes caught ${entries.length} attempt(s) as expected` : `${probe.service} ran ${probe.seconds} s: ${unmet.map((r) => `expected ${r.expected}, got ${r.actual}`).join('; ')}`,
    evidence: [service, ...results],
  };
}

/** The first column of every row, as text: one account number per attempt the job must make. */
async function expectedAccounts(query: string, ctx: ProbeRunContext): Promise<{ accounts: string[] } | { error: string }> {
  const read = await readOnlyQuery(query, ctx, ACCOUNTS_QUERY);
  if ('refused' in read) return { error: `refused: ${read.refused}` };
  const accounts: string[] = [];
  for (const [index, row] of read.rows.entries()) {
    const value = Object.values(row)[0];
    const text = typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' ? String(value).trim() : '';
    if (text === '') return { error: `row ${index + 1} has no account number in its first column (${value === null ? 'NULL' : value === undefined ? 'no column' : typeof value}); the query's first column is the account number, one row per attempt` };
    accounts.push(text);
  }
  return { accounts };
}
