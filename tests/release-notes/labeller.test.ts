import t from 'tap';
import Database from 'better-sqlite3';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { ReleaseNoteLabeller, type FieldDifference } from '../../src/release-notes/labeller.js';
import { annotateExplained, releaseNoteChecklist, releaseNoteRecords, releaseNotesCheck } from '../../src/release-notes/outcome.js';
import type { ExpectedDifference, ReleaseNote } from '../../src/release-notes/types.js';
import type { RowDifference } from '../../src/differential/differences.js';
import { checklistStatus, decideVerdict } from '../../src/report/model.js';
import { checkControlRun } from '../../src/checks/control-run.js';
import { differentialRules } from '../../src/differential/rules.js';
import { makeTinyDatabase } from '../helpers/tiny-db.js';
import { SAMPLE_ADAPTER } from '../helpers/sample-profile.js';

/** An expected difference as a test writes it: without its place in a plan. */
type Difference = ExpectedDifference extends infer D ? (D extends unknown ? Omit<D, 'at'> : never) : never;

/** One note for accounts expecting `differences`; its account set is given, as verify reads it. */
function labeller(differences: readonly Difference[], accounts = ['A-1', 'A-2']): ReleaseNoteLabeller {
  const note: ReleaseNote = { id: 'RN-1', title: 'Tax rule', link: 'https://tracker.example/RN-1', expect: { accounts: { kind: 'list', accounts }, differences: differences.map((d, at) => ({ ...d, at }) as ExpectedDifference) } };
  return new ReleaseNoteLabeller([note], new Map([['RN-1', new Set(accounts)]]));
}

/** A production-diff field difference in cents. */
const field = (name: string, production: number, rehearsal: number): FieldDifference => ({ field: name, production: (production / 100).toFixed(2), rehearsal: (rehearsal / 100).toFixed(2), values: { production, rehearsal } });

t.test('a field difference is explained only within the note: its accounts, its field, its bounds', async (t) => {
  const l = labeller([{ kind: 'field', field: 'taxes', change: { direction: 'increase', maxRelative: 0.2, maxAbsolute: 5 } }]);
  const explained = (account: string, d: FieldDifference): boolean => l.accountFields('production-diff', account, [d]).unexplained.length === 0;
  t.ok(explained('A-1', field('taxes', 1000, 1150)), '+15% within 20% and 5.00');
  t.notOk(explained('A-3', field('taxes', 1000, 1150)), 'an account outside the note');
  t.notOk(explained('A-1', field('invoice total', 1000, 1150)), 'a field the note does not name');
  t.notOk(explained('A-1', field('taxes', 1000, 950)), 'the wrong direction');
  t.notOk(explained('A-1', field('taxes', 1000, 1250)), 'beyond maxRelative');
  t.notOk(explained('A-2', field('taxes', 10000, 10600)), 'beyond maxAbsolute (6.00 > 5.00), though within 20%');
  t.notOk(explained('A-2', field('taxes', 0, 10)), 'from zero, any change is beyond a relative bound');
  const [record] = releaseNoteRecords(l.notes, l, { sets: new Map([['RN-1', new Set(['A-1', 'A-2'])]]), unreadable: new Map() });
  t.equal(record?.differencesExplained, 1);
  t.equal(record?.accountsExplained, 1);
  t.equal(record?.beyondBound, 4, 'beyond-bound counts only differences the note names, of its accounts');
  t.equal(record?.status, 'beyond-bound');
  t.match(record?.beyondBoundExamples.map((e) => e.why).join('\n'), /decreased, the note says it increases[\s\S]*more than maxRelative 0.2[\s\S]*more than maxAbsolute 5/);
});

t.test('sameAs: a total explained only by exactly its tax change, for the same account', async (t) => {
  const l = labeller([
    { kind: 'field', field: 'taxes', change: {} },
    { kind: 'field', field: 'invoice total', change: { sameAs: 'taxes' } },
  ]);
  t.same(l.accountFields('production-diff', 'A-1', [field('taxes', 825, 950), field('invoice total', 10825, 10950)]).unexplained, [], 'total moved by the tax change');
  const beyond = l.accountFields('production-diff', 'A-1', [field('taxes', 825, 950), field('invoice total', 10825, 11950)]).unexplained;
  t.same(beyond.map((d) => d.field), ['invoice total'], 'a total that also lost a discount is not the tax change');
  t.same(l.accountFields('production-diff', 'A-2', [field('invoice total', 10825, 10950)]).unexplained.map((d) => d.field), ['invoice total'], 'a total whose tax did not change');
});

const changed = (account: string | undefined, columns: RowDifference['columns']): RowDifference => ({ table: 'invoices', kind: 'changed', row: 'INV-1', account, columns, count: 1 });
const added = (account: string, kind: RowDifference['kind'], itemKind: string): RowDifference => ({ table: 'invoice_items', kind, row: `kind=${itemKind}`, account, columns: [], count: 1, content: [{ column: 'kind', value: itemKind }] });

t.test('state rows: columns explained one by one, rows only where the note says and one for one', async (t) => {
  const l = labeller([
    { kind: 'column', table: 'invoices', column: 'tax_cents', change: { direction: 'increase' } },
    { kind: 'column', table: 'invoices', column: 'total_cents', change: { sameAs: 'invoices.tax_cents' } },
    { kind: 'rows', table: 'invoice_items', where: { kind: ['tax'] }, fate: 'replaced' },
  ]);
  t.equal(l.stateRow('state-differential', changed('A-1', [{ column: 'tax_cents', rehearsal: 950, production: 825 }, { column: 'total_cents', rehearsal: 10950, production: 10825 }])), undefined);
  const rest = l.stateRow('state-differential', changed('A-1', [{ column: 'tax_cents', rehearsal: 950, production: 825 }, { column: 'total_cents', rehearsal: 9950, production: 10825 }, { column: 'subtotal_cents', rehearsal: 1, production: 2 }]));
  t.same(rest?.columns.map((c) => c.column), ['total_cents', 'subtotal_cents'], 'what the note does not describe stays');
  t.same(l.stateRow('state-differential', changed(undefined, [{ column: 'tax_cents', rehearsal: 950, production: 825 }]))?.columns.length, 1, 'a row no account owns is never explained');
  t.equal(l.stateRow('state-differential', added('A-1', 'only-in-rehearsal', 'tax')), undefined, 'held');
  t.equal(l.stateRow('state-differential', added('A-1', 'only-in-production', 'tax')), undefined, 'held');
  t.equal(l.stateRow('state-differential', added('A-2', 'only-in-production', 'tax')), undefined, 'held: a tax line A-2 lost');
  t.ok(l.stateRow('state-differential', added('A-1', 'only-in-production', 'discount')), 'a discount line is no tax line');
  const back = l.finishRows('state-differential');
  t.same(back.map((d) => d.account), ['A-2'], "A-1's tax line replaced one for one is explained; A-2's lost tax line is not");
});

t.test('outbound payments: an amount explained within its bound', async (t) => {
  const l = labeller([{ kind: 'outbound', check: 'payments', kinds: ['amount differs'], change: { direction: 'increase', maxRelative: 0.02 } }]);
  t.ok(l.outbound('payments', 'A-1', 'amount differs', { production: '100.00', rehearsal: '101.25' }));
  t.notOk(l.outbound('payments', 'A-1', 'amount differs', { production: '100.00', rehearsal: '103.00' }), 'beyond 2%');
  t.notOk(l.outbound('payments', 'A-1', 'not charged', { production: '100.00', rehearsal: 'no charge' }), 'a kind the note does not name');
  t.notOk(l.outbound('mail', 'A-1', 'amount differs', { production: '100.00', rehearsal: '101.00' }), 'another check');
  t.notOk(l.outbound('payments', undefined, 'amount differs', { production: '100.00', rehearsal: '101.00' }), 'no account');
});

t.test('a note whose difference never appeared warns; sign-off items are to confirm', async (t) => {
  const l = labeller([{ kind: 'field', field: 'taxes', change: {} }]);
  const notes: ReleaseNote[] = [...l.notes, { id: 'RN-2', title: 'Invoice preview', link: 'https://tracker.example/RN-2', signOff: 'Billing lead' }];
  const records = releaseNoteRecords(notes, l, { sets: new Map([['RN-1', new Set(['A-1'])]]), unreadable: new Map() });
  const check = releaseNotesCheck(records);
  t.equal(check?.status, 'warning');
  t.match(check?.summary, /RN-1: its expected difference never appeared in 1 account\(s\) in scope.*may not be active/);
  t.same(annotateExplained([{ id: 'production-diff', title: 'x', status: 'passed', summary: 'same' }], records)[0]?.summary, 'same', 'nothing explained, nothing said');
  const checklist = checklistStatus(releaseNoteChecklist(notes), []);
  t.same(checklist.map((i) => [i.id, i.status, i.signOff]), [['release-note.RN-2', 'to-confirm', 'Billing lead']]);
  const { verdict } = decideVerdict([{ name: 'verify', status: 'passed', durationMs: 1 }], [{ id: 'production-diff', title: 'x', status: 'passed', summary: 'same' }], checklist);
  t.equal(verdict, 'GO-PENDING-SIGN-OFF');
});

t.test("the control run's release effect: explained for the note's accounts only", async (t) => {
  const tiny = makeTinyDatabase();
  t.teardown(() => tiny.cleanup());
  const dir = t.testdir();
  const files = { beforeBillRun: join(dir, 'before.db'), candidate: join(dir, 'candidate.db'), control: join(dir, 'control.db'), productionMasked: join(dir, 'production.db') };
  for (const path of Object.values(files)) copyFileSync(tiny.path, path);
  const bill = (file: string, cents: Record<string, number>): void => {
    const db = new Database(file);
    for (const [account, amount] of Object.entries(cents)) db.prepare('UPDATE accounts SET balance_cents = balance_cents + ? WHERE account_number = ?').run(amount, account);
    db.close();
  };
  bill(files.control, { 'ACC-000001': 1000, 'ACC-000002': 1000 });
  bill(files.productionMasked, { 'ACC-000001': 1000, 'ACC-000002': 1000 });
  bill(files.candidate, { 'ACC-000001': 1015, 'ACC-000002': 1015 });
  const rule: Difference[] = [{ kind: 'column', table: 'accounts', column: 'balance_cents', change: { direction: 'increase', maxAbsolute: 20 } }];
  const [effect] = await checkControlRun(files, differentialRules([]), SAMPLE_ADAPTER.accountIdentity, {}, 0, labeller(rule, ['ACC-000001']));
  t.equal(effect?.status, 'failed', 'ACC-000002 is not the note’s');
  t.same(effect?.affectedAccounts, ['ACC-000002']);
  const [both] = await checkControlRun(files, differentialRules([]), SAMPLE_ADAPTER.accountIdentity, {}, 0, labeller(rule, ['ACC-000001', 'ACC-000002']));
  t.equal(both?.status, 'passed');
});
