import t from 'tap';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Ajv } from 'ajv';
import { makeSample, rehearse, type CliRun } from '../helpers/sample-fixture.js';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';
import type { Report } from '../../src/report/model.js';
import { rn7501 } from './rn-7501.js';

/**
 * Whole rehearsals of the sample candidate with `business-voice-tax-rate` (one tax rule changed on
 * purpose), each plan differing only in its release notes. One sample, generated once. The control
 * run's release effect is labelled the same way (tests/release-notes/labeller.test.ts).
 */
const sample = makeSample(120, 7);
t.teardown(() => sample.cleanup());

/** The accounts on the Business Voice price plan in this sample (seed 7): all billed on the 1st, all with auto-pay. */
const BUSINESS_VOICE = ['ACC-000022', 'ACC-000089', 'ACC-000117'];

const NEVER_SEEN = `  - id: RN-7503
    title: Pooled minutes of Retention customers roll over
    link: https://tracker.example/RN-7503
    expect:
      accounts: { trait: discount Retention 50% }
      differ:
        - { field: pool minutes used, direction: decrease }
`;

function run(name: string, faults: string[], releaseNotes: string): { run: CliRun; report: Report } {
  const plan = sample.plan(name, { faults, extraYaml: releaseNotes === '' ? '' : `releaseNotes:\n${releaseNotes}` });
  const result = rehearse(['--json', 'all', plan]);
  const file = join(dirname(result.json?.report ?? '.'), 'report.json');
  return { run: result, report: JSON.parse(readFileSync(file, 'utf8')) as Report };
}

const status = (report: Report, id: string): string | undefined => report.checks.find((c) => c.id === id)?.status;

t.test('RN-7501 in the plan turns the tax change into GO with explained-by counts', async (t) => {
  const { run: go, report } = run('with-note', ['business-voice-tax-rate'], `${rn7501()}${NEVER_SEEN}`);
  t.equal(go.json?.verdict, 'GO', go.stdout + go.stderr);
  t.equal(go.status, 0);
  const note = report.releaseNotes?.find((r) => r.id === 'RN-7501');
  t.equal(note?.status, 'explained');
  t.equal(note?.accountsExplained, 3, 'every Business Voice account');
  t.equal(note?.accountsInScope, 3);
  const byCheck = new Map(note?.byCheck.map((c) => [c.check, c]));
  for (const check of ['production-diff', 'state-differential', 'outbound-payments']) t.ok((byCheck.get(check)?.differences ?? 0) > 0, `${check} differences explained`);
  t.equal(byCheck.get('production-diff')?.accounts, 3);
  t.ok(note?.examples.every((e) => BUSINESS_VOICE.includes(e.account)), 'examples are Business Voice accounts');
  t.match(report.checks.find((c) => c.id === 'production-diff')?.summary, /explained by release notes: 12 in 3 account\(s\) by RN-7501/);
  const unseen = report.releaseNotes?.find((r) => r.id === 'RN-7503');
  t.equal(unseen?.status, 'not-seen', 'an expected difference that never appeared');
  t.equal(status(report, 'release-notes'), 'warning');
  t.match(report.checks.find((c) => c.id === 'release-notes')?.summary, /RN-7503: its expected difference never appeared.*the feature may not be active/);
  const schema = JSON.parse(readFileSync(join(PROJECT_ROOT, 'src/report/report.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
  t.ok(validate(report), JSON.stringify(validate.errors));
  const markdown = readFileSync(go.json?.report ?? '', 'utf8');
  t.match(markdown, /## Release notes/);
  t.match(markdown, /\| RN-7501 \| Business Voice customers .* \| explained \| 3 \| 3 \|/);
  t.match(readFileSync(join(dirname(go.json?.report ?? '.'), 'report.html'), 'utf8'), /<section id="release-notes">/);
});

t.test('deleting the release note from the plan brings the NO-GO back', async (t) => {
  const { run: nogo, report } = run('without-note', ['business-voice-tax-rate'], '');
  t.equal(nogo.json?.verdict, 'NO-GO');
  for (const check of ['production-diff', 'state-differential', 'outbound-payments']) t.equal(status(report, check), 'failed', check);
  t.equal(report.releaseNotes, undefined);
  t.same([...(report.checks.find((c) => c.id === 'production-diff')?.affectedAccounts ?? [])].sort(), BUSINESS_VOICE);
});

t.test('a rule cannot hide what it does not describe: other accounts, or totals beyond the tax change (beyond its bound)', async (t) => {
  // A second note claims tax changes of two discounted accounts; the candidate also drops every
  // discount. Their taxes fit the note, their totals (tax plus the lost discount) do not, and
  // no other discounted account is named by any note.
  const claimed = `  - id: RN-9001
    title: Tax rounding for two accounts
    link: https://tracker.example/RN-9001
    expect:
      accounts: { list: [ACC-000001, ACC-000012] }
      differ:
        - { field: taxes }
        - { field: invoice total, sameAs: taxes }
        - { column: invoices.tax_cents }
        - { column: invoices.total_cents, sameAs: tax_cents }
        - { rows: invoice_items, where: { kind: tax } }
`;
  const { run: nogo, report } = run('attacker', ['business-voice-tax-rate', 'discount-dropped'], `${rn7501()}${claimed}`);
  t.equal(nogo.json?.verdict, 'NO-GO');
  const diff = report.checks.find((c) => c.id === 'production-diff');
  t.equal(diff?.status, 'failed');
  const affected = diff?.affectedAccounts ?? [];
  t.ok(affected.includes('ACC-000001') && affected.includes('ACC-000012'), 'the claimed accounts still fail: their totals moved by more than their tax');
  t.ok(affected.some((a) => !BUSINESS_VOICE.includes(a) && a !== 'ACC-000001' && a !== 'ACC-000012'), 'discounted accounts no note names fail');
  t.notOk(affected.some((a) => BUSINESS_VOICE.includes(a)), 'the Business Voice tax change alone stays explained');
  t.equal(status(report, 'state-differential'), 'failed', 'the dropped discount lines are no tax lines');
  const claimedNote = report.releaseNotes?.find((r) => r.id === 'RN-9001');
  t.equal(claimedNote?.status, 'beyond-bound');
  t.ok(claimedNote?.beyondBoundExamples.some((e) => e.what === 'invoice total' && /not by the change of taxes/.test(e.why ?? '')), 'the total is named beyond the note');
  const explained = new Set((report.releaseNotes ?? []).flatMap((r) => r.examples.map((e) => e.account)));
  t.ok([...explained].every((a) => BUSINESS_VOICE.includes(a) || a === 'ACC-000001' || a === 'ACC-000012'), 'no example outside the notes\' accounts');
});
