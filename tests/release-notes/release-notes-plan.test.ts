import t from 'tap';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadPlan } from '../../src/plan/load.js';
import { ConfigErrors } from '../../src/errors.js';
import { makePlanDir, validPlanText } from '../helpers/plan-fixture.js';
import { rehearseHere } from '../helpers/cli-in-process.js';
import { rn7501 } from './rn-7501.js';

const dir = makePlanDir();
t.teardown(() => dir.cleanup());

const withNotes = (notes: string): string => `${validPlanText()}releaseNotes:\n${notes}`;

function errorsFor(notes: string): string {
  try {
    loadPlan(dir.write('plan.yaml', withNotes(notes)));
  } catch (error) {
    if (error instanceof ConfigErrors) return error.message;
    throw error;
  }
  throw new Error('plan unexpectedly valid');
}

/** The line of the plan on which `text` is first written (1-based). */
const lineOf = (notes: string, text: string): number => withNotes(notes).split('\n').findIndex((l) => l.includes(text)) + 1;

t.test('release notes load as typed items: selector, places, bounds, sign-off', async (t) => {
  const plan = loadPlan(dir.write('plan.yaml', withNotes(`${rn7501()}  - id: RN-7502\n    title: Invoice preview\n    link: https://tracker.example/RN-7502\n    signOff: Billing lead\n`)));
  const [tax, preview] = plan.releaseNotes;
  t.same(tax?.expect?.accounts, { kind: 'trait', trait: 'price plan Business Voice 1000' });
  t.same(tax?.expect?.differences[0], { at: 0, kind: 'field', field: 'taxes', change: { direction: 'increase', maxRelative: 0.2 } });
  t.same(tax?.expect?.differences[5], { at: 5, kind: 'column', table: 'invoices', column: 'total_cents', change: { sameAs: 'invoices.tax_cents' } }, 'a bare sameAs column is of the same table');
  t.same(tax?.expect?.differences[8], { at: 8, kind: 'rows', table: 'transactions', where: { kind: ['invoice', 'payment'] }, fate: 'replaced' });
  t.same(preview, { id: 'RN-7502', title: 'Invoice preview', link: 'https://tracker.example/RN-7502', signOff: 'Billing lead' });
});

t.test('malformed release notes are refused with file:line:column, all at once', async (t) => {
  const notes = `  - id: RN-1
    title: One
    link: https://tracker.example/1
    expect:
      accounts: { trait: holds a gold card }
      differ:
        - { field: tax total }
        - { field: taxes, sameAs: invoice total }
        - { rows: invoice_items, maxAbsolute: 5 }
        - { outbound: payments, kinds: [amount differs, refunded] }
        - { outbound: mail, kinds: [not mailed], direction: increase }
  - id: RN-1
    title: Again
    link: https://tracker.example/2
    expect:
      accounts: { concept: accountFeatures, column: colour, equals: red }
      differ:
        - { field: taxes, maxRelative: -0.5 }
`;
  const message = errorsFor(notes);
  const file = join(dir.dir, 'plan.yaml');
  // The schema refuses a negative bound first, before any other release-note rule is read.
  t.match(message, new RegExp(`${file}:${lineOf(notes, 'maxRelative: -0.5')}:\\d+: .*maxRelative.*>= 0`));
  const semantic = errorsFor(notes.replace('maxRelative: -0.5', 'maxRelative: 0.5'));
  const expectations: [number, RegExp][] = [
    [lineOf(notes, 'holds a gold card'), /`holds a gold card` is not an account picker feature/],
    [lineOf(notes, 'tax total'), /`tax total` is not a field production-diff compares/],
    [lineOf(notes, 'sameAs: invoice total'), /`sameAs: invoice total` must name another field this item expects to differ/],
    [lineOf(notes, 'rows: invoice_items, maxAbsolute'), /`maxAbsolute` bounds a value; rows added or removed have no value to bound/],
    [lineOf(notes, 'refunded'), /`refunded` is not a difference outbound-payments reports/],
    [lineOf(notes, 'outbound: mail'), /only `amount differs` of `outbound: payments` has a value to bound/],
    [lineOf(notes, 'title: Again') - 1, /release-note id RN-1 is already used at line \d+/],
    [lineOf(notes, 'column: colour'), /concept `accountFeatures` has no column `colour`/],
  ];
  for (const [line, pattern] of expectations) t.match(semantic, new RegExp(`${file}:${line}:\\d+: ${pattern.source}`), `line ${line}: ${pattern.source}`);
});

t.test('a table or column the snapshot lacks exits 2 at its place in the plan, and nothing is created', async (t) => {
  const notes = `  - id: RN-2
    title: Two
    link: https://tracker.example/2
    expect:
      accounts: { list: [ACC-000001] }
      differ:
        - { column: invoices.tax_total }
        - { rows: invoice_lines }
        - { rows: transactions, where: { sort: invoice } }
`;
  const plan = dir.write('plan.yaml', withNotes(notes));
  const outcome = await rehearseHere(['check', plan]);
  t.equal(outcome.code, 2, outcome.stderr);
  t.match(outcome.stderr, new RegExp(`plan\\.yaml:${lineOf(notes, 'invoices.tax_total')}:\\d+: table \`invoices\` has no column \`tax_total\``));
  t.match(outcome.stderr, new RegExp(`plan\\.yaml:${lineOf(notes, 'invoice_lines')}:\\d+: the snapshot has no table \`invoice_lines\``));
  t.match(outcome.stderr, new RegExp(`plan\\.yaml:${lineOf(notes, 'sort: invoice')}:\\d+: table \`transactions\` has no column \`sort\``));
  t.notOk(outcome.stderr.includes('    at '), 'no stack trace');
  t.notOk(existsSync(join(dir.dir, 'reports')), 'no run folder');
});
