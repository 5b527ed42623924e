import t from 'tap';
import { makeSample, readReport, rehearse } from '../helpers/sample-fixture.js';
import type { CheckResult } from '../../src/checks/types.js';

/**
 * State the bill run wrote wrongly where no field-level check looks: only the state differential
 * (every table against production's change) can catch these. Each switch leaves its own table and
 * column, so one rehearsal with all of them shows each one caught, and that no other check did;
 * `npm run mutants` rehearses them one at a time.
 */
const SWITCHES: readonly { fault: string; table: string; difference: string; account?: string; cause?: RegExp; unattributed?: true }[] = [
  { fault: 'usage-left-unrated', table: 'usage_records', difference: 'rated' },
  { fault: 'invoice-transaction-missing', table: 'transactions', difference: 'only-in-production' },
  { fault: 'invoice-subtotal-net-of-discount', table: 'invoices', difference: 'subtotal_cents', account: 'ACC-000001', cause: /^has a discount \(×/ },
  { fault: 'provisioning-left-pending', table: 'user_packages', difference: 'provisioning_status', account: 'ACC-000001' },
  { fault: 'transaction-reference-missing', table: 'transactions', difference: 'only-in-rehearsal' },
  // The sample's event_log has no foreign key to accounts (as many platforms' logs): its rows are not attributed.
  { fault: 'decline-not-logged', table: 'event_log', difference: 'only-in-production', unattributed: true },
];

const sample = makeSample(200, 7);
t.teardown(() => sample.cleanup());
const run = rehearse(['--json', 'all', sample.plan('state-switches', { faults: SWITCHES.map((s) => s.fault) })]);
const report = readReport(run.json?.report ?? '');
const differential = report.checks.find((c) => c.id === 'state-differential') as (CheckResult & { affectedAccounts?: string[] }) | undefined;

t.test('the rehearsal runs through and ends NO-GO through the state differential alone', async (t) => {
  t.equal(run.status, 1, run.stderr);
  t.equal(report.verdict, 'NO-GO');
  t.ok(report.stages.every((s) => s.status === 'passed'), 'the pipeline itself ran through');
  t.same(report.checks.filter((c) => c.status === 'failed').map((c) => c.id), ['state-differential'], 'no field-level check sees these regressions');
  t.ok(differential?.sections?.some((s) => s.title.includes('grouped by cause') && s.rows.length > 0), 'the differing accounts are grouped by cause');
});

for (const s of SWITCHES) {
  t.test(`${s.fault}: a ${s.table} / ${s.difference} difference${s.unattributed ? '' : ', attributed to accounts'}`, async (t) => {
    const group = differential?.evidence?.find((e) => e.table === s.table && e.difference === s.difference);
    t.ok(group, `${JSON.stringify(differential?.evidence?.map((e) => `${String(e.table)}.${String(e.difference)}`))}`);
    if (s.unattributed === undefined) t.ok(Number(group?.accounts) > 0, 'the affected accounts are counted');
    else t.ok(Number(group?.rows) > 0, 'the differing rows are counted');
    if (s.account !== undefined) t.ok(differential?.affectedAccounts?.includes(s.account), `${s.account} is named`);
    // Ranked by lift against every account's traits: the discounted accounts, not the commonest trait.
    if (s.cause !== undefined) t.match(group?.['likely cause'], s.cause, 'the group names the trait that sets its accounts apart');
  });
}
