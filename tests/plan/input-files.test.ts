import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePlanDir, validPlanText } from '../helpers/plan-fixture.js';
import { BUG_BANNER, runCliAsync, STACK_TRACE, type CliOutcome } from '../helpers/cli-contract.js';

// Each case is a separate CLI process; they run side by side to keep the file short.
t.jobs = 2;
const dir = makePlanDir();
t.teardown(() => dir.cleanup());
const reports = join(dir.dir, 'reports');
const shippedRules = readFileSync(join(dir.dir, 'rules.yaml'), 'utf8');

/** Exit 2 within the deadline, the location in stderr, no stack, nothing created. */
function assertRefused(t: Test, outcome: CliOutcome, location: RegExp, reason: RegExp): void {
  t.equal(outcome.status, 2, `exit 2 (stderr: ${outcome.stderr.slice(0, 400)})`);
  t.match(outcome.stderr, location, 'says where');
  t.match(outcome.stderr, reason, 'says what is wrong');
  t.notMatch(outcome.stderr, STACK_TRACE, 'no stack trace');
  t.notMatch(outcome.stderr, BUG_BANNER, 'not reported as a bug');
  t.notOk(existsSync(reports), 'nothing created');
}

function check(planFile: string): Promise<CliOutcome> {
  return runCliAsync(['check', planFile], { timeoutMs: 90_000 });
}

/** `file:line:column` of the first `needle` in `text`. */
function positionOf(text: string, needle: string): string {
  const before = text.slice(0, text.indexOf(needle));
  return `${before.split('\n').length}:${before.length - before.lastIndexOf('\n')}`;
}

t.test('a plan at /dev/zero is refused at once instead of read forever', async (t) => {
  assertRefused(t, await check('/dev/zero'), /\/dev\/zero/, /not a regular file \(a character device\)/);
});

t.test('a plan that is a named pipe is refused without opening it for a writer', async (t) => {
  const fifo = join(dir.dir, 'plan.fifo');
  execFileSync('mkfifo', [fifo]);
  assertRefused(t, await check(fifo), /plan\.fifo/, /not a regular file \(a named pipe\)/);
});

t.test('a plan larger than 1 MiB is refused before it is read', async (t) => {
  const big = dir.write('big.yaml', `${validPlanText()}${`# ${'x'.repeat(1000)}\n`.repeat(1100)}`);
  assertRefused(t, await check(big), /big\.yaml/, /more than the 1 MiB/);
});

t.test('invalid UTF-8 in a plan is refused at the first bad byte', async (t) => {
  const source = validPlanText().replace('title: Charges match production', 'title: Charges match @@');
  const text = Buffer.from(source);
  const at = text.indexOf('@@');
  text[at] = 0xc3;
  text[at + 1] = 0x28;
  const file = join(dir.dir, 'latin.yaml');
  writeFileSync(file, text);
  assertRefused(t, await check(file), new RegExp(`latin\\.yaml:${positionOf(source, '@@')}: invalid UTF-8 \\(byte 0xc3\\)`), /save the file as UTF-8/);
});

t.test('invalid UTF-8 in a rule set is refused at its line and column', async (t) => {
  const rules = Buffer.from(shippedRules.replace('password_hash: { constant: "rehearsal-disabled" }', 'password_hash: { constant: "disabled-@" }'));
  rules[rules.indexOf('@')] = 0xff;
  writeFileSync(join(dir.dir, 'bad-utf8-rules.yaml'), rules);
  const line = shippedRules.split('\n').findIndex((l) => l.includes('password_hash')) + 1;
  const plan = dir.write('bad-utf8-rules-plan.yaml', validPlanText({ rules: 'bad-utf8-rules.yaml' }));
  assertRefused(t, await check(plan), new RegExp(`bad-utf8-rules\\.yaml:${line}:\\d+: invalid UTF-8 \\(byte 0xff\\)`), /UTF-8/);
});

const BOMB = ['lol: &a ["l","l","l","l","l","l","l","l","l"]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]', 'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]'];

t.test('a YAML alias bomb in a plan is refused at the alias, not expanded', async (t) => {
  const bomb = dir.write('bomb.yaml', `${BOMB.join('\n')}\n${validPlanText()}`);
  assertRefused(t, await check(bomb), /bomb\.yaml:3:8: aliases expand to more than 100 copies/, /alias bomb/);
});

t.test('a YAML alias bomb in a rule set is refused at the alias', async (t) => {
  writeFileSync(join(dir.dir, 'bomb-rules.yaml'), shippedRules.replace('version: 1\n', `version: 1\nx-bomb:\n${BOMB.map((l) => `  ${l}`).join('\n')}\n`));
  const plan = dir.write('bomb-rules-plan.yaml', validPlanText({ rules: 'bomb-rules.yaml' }));
  const line = shippedRules.split('\n').findIndex((l) => l === 'version: 1') + 5;
  assertRefused(t, await check(plan), new RegExp(`bomb-rules\\.yaml:${line}:10: aliases expand to more than 100 copies`), /alias bomb/);
});

/** The shipped rule set with its vendor script replaced by `script`, and a plan that uses it. */
function planWithVendorScript(name: string, script: string): { plan: string; line: number } {
  const text = shippedRules.replace('vendor/10-clear-cancelled-notes.sql', script);
  writeFileSync(join(dir.dir, `${name}-rules.yaml`), text);
  return { plan: dir.write(`${name}-plan.yaml`, validPlanText({ rules: `${name}-rules.yaml` })), line: text.split('\n').findIndex((l) => l.includes(script)) + 1 };
}

t.test('a vendor script that is a directory is refused at its rule-set entry', async (t) => {
  mkdirSync(join(dir.dir, 'scripts.d'));
  const { plan, line } = planWithVendorScript('dir-script', 'scripts.d');
  assertRefused(t, await check(plan), new RegExp(`dir-script-rules\\.yaml:${line}:5: vendor script .*scripts\\.d: it is a directory, not a file`), /directory/);
});

t.test('a vendor script at /dev/zero is refused at its rule-set entry, before anything runs', async (t) => {
  const { plan, line } = planWithVendorScript('zero-script', '/dev/zero');
  assertRefused(t, await check(plan), new RegExp(`zero-script-rules\\.yaml:${line}:5: vendor script /dev/zero: it is not a regular file`), /character device/);
});

t.test('a vendor script that is a named pipe is refused at its rule-set entry', async (t) => {
  const fifo = join(dir.dir, 'script.fifo');
  execFileSync('mkfifo', [fifo]);
  const { plan, line } = planWithVendorScript('fifo-script', 'script.fifo');
  assertRefused(t, await check(plan), new RegExp(`fifo-script-rules\\.yaml:${line}:5: vendor script .*script\\.fifo: it is not a regular file \\(a named pipe\\)`), /named pipe/);
});
