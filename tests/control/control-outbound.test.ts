import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { makeSample, readReport, rehearse } from '../helpers/sample-fixture.js';

/**
 * A real platform has no ledger of production's bill run (it talked to real gateways), so the
 * outbound checks against production see only what production's database recorded: not what a
 * charge asked of the gateway, which action a switch was sent, nor a mail's subject. With a control
 * run, production's release sends through the same sinkholes first, and the candidate's requests
 * (and each mail's text, by digest) are compared with those in full. Three regressions that give
 * GO without it (docs/mutants.md, "Without production's ledger"), one per outbound kind, in one
 * rehearsal; the mail one (last month's bill date in the text) gives GO even with production's ledger. That the unchanged
 * candidate passes these checks is asserted in control-run.test.ts.
 */
const sample = makeSample(300, 11);
t.teardown(() => sample.cleanup());

type Check = { id: string; status: string; summary: string };

function planWithoutLedger(name: string, faults: string[] = []): string {
  const plan = sample.plan(name, { faults });
  const text = readFileSync(plan, 'utf8')
    .replace(/^ {2}ledger: .*\n/m, '')
    .replace('verify:\n  tolerance: 0.00', 'verify:\n  control: production-release\n  tolerance: 0.00');
  t.notMatch(text, /^ {2}ledger:/m, 'the plan names no production ledger');
  t.match(text, 'control: production-release');
  writeFileSync(plan, text);
  return plan;
}

t.test("without production's ledger, the control run catches an authorize-only charge, a suspend sent to the switch and a mail stating last month's bill date", async (t) => {
  const run = rehearse(['--json', 'all', planWithoutLedger('three-switches', ['charge-authorize-only', 'provision-suspend', 'mail-stale-bill-date'])]);
  t.equal(run.json?.verdict, 'NO-GO', run.stderr);
  const checks = readReport(run.json?.report ?? '').checks as Check[];
  const check = (id: string): Check | undefined => checks.find((c) => c.id === id);
  t.match(check('control.outbound-payments'), { status: 'failed', summary: /^against the control run \(production's release, same sandbox\): \d+ account\(s\) differ: \d+ request fields differ/ });
  t.match(check('control.outbound-provisioning'), { status: 'failed', summary: /action differ/ });
  // Only the text differs: the subject class carries its digest when the control is compared.
  t.match(check('control.outbound-mail'), { status: 'failed', summary: /subject differs/ });
  t.match(JSON.stringify(check('control.outbound-mail')), /Invoice <invoice> \(text [0-9a-f]{13}\)/);
  // The hole the control closes: against production's database alone, all three pass.
  t.equal(check('outbound-payments')?.status, 'passed', check('outbound-payments')?.summary ?? '');
  t.equal(check('outbound-mail')?.status, 'passed', check('outbound-mail')?.summary ?? '');
  t.not(check('outbound-provisioning')?.status, 'failed', 'skipped: a database records no switch requests');
  t.equal(check('control.release-effect')?.status, 'passed', 'the tables do not show it either');
});
