import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadMutantCatalogue, selectMutants, type Mutant } from '../../mutants/catalogue.js';
import { controlHolds, judgeMutant } from '../../mutants/outcome.js';
import { writeMutantPlan } from '../../mutants/mutant-plan.js';
import { BEGIN_MARKER, END_MARKER, resultsSection, writeResultsSection } from '../../mutants/markdown.js';
import { SAMPLE_ADAPTER } from '../helpers/sample-profile.js';

const SAMPLE_PLATFORM_FAULTS = SAMPLE_ADAPTER.regressionSwitches?.switches ?? [];
import { loadPlan } from '../../src/plan/load.js';
import { ConfigErrors, ConfigError } from '../../src/errors.js';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';
import { loadAdapter } from '../../src/platform/load-adapter.js';

const CATALOGUE = join(PROJECT_ROOT, 'mutants/sample-platform.yaml');
const mutant: Mutant = { switch: 'discount-dropped', area: 'billing', regression: 'discounts not applied', caughtBy: ['production-diff', 'scenario.ACC-000012'] };

t.test('a mutant counts as caught only through every expected check', async (t) => {
  t.equal(judgeMutant(mutant, { verdict: 'NO-GO', failedChecks: ['production-diff', 'scenario.ACC-000012', 'account.ACC-000041'], failedStages: [] }, 1).status, 'caught');
  t.equal(judgeMutant(mutant, { verdict: 'GO', failedChecks: [], failedStages: [] }, 1).status, 'escaped');
  t.equal(judgeMutant(mutant, { verdict: 'GO-PENDING-SIGN-OFF', failedChecks: [], failedStages: [] }, 1).status, 'escaped', 'pending sign-off is a GO too');
  const partly = judgeMutant(mutant, { verdict: 'NO-GO', failedChecks: ['production-diff'], failedStages: [] }, 1);
  t.equal(partly.status, 'wrong-reason', 'NO-GO without one of the expected checks');
  t.same(partly.missed, ['scenario.ACC-000012']);
  t.equal(judgeMutant(mutant, { verdict: 'NO-GO', failedChecks: ['production-diff', 'scenario.ACC-000012'], failedStages: ['verify'] }, 1).status, 'wrong-reason', 'a crashed stage is not a catch');
  t.equal(judgeMutant(mutant, { verdict: 'NONE', failedChecks: [], failedStages: ['rehearse exited 2 without a report'] }, 1).status, 'wrong-reason', 'a rehearsal that never reported is not an escape, nor a catch');
  t.notOk(controlHolds({ verdict: 'NO-GO', failedChecks: ['isolation'], failedStages: [] }), 'a control that ends NO-GO invalidates the table');
  t.ok(controlHolds({ verdict: 'GO', failedChecks: [], failedStages: [] }));
});

t.test('the catalogue covers every switch of the sample candidate, and only those', async (t) => {
  const catalogue = loadMutantCatalogue(CATALOGUE);
  const listed = catalogue.mutants.map((m) => m.switch).sort();
  t.same(listed, [...SAMPLE_PLATFORM_FAULTS].sort(), 'a new switch must say which check catches it');
  t.throws(() => selectMutants(catalogue, ['no-such-switch']), /does not list: no-such-switch/);
  t.same(selectMutants(catalogue, ['event-log-error']).map((m) => m.switch), ['event-log-error']);
});

t.test("the EngageIP-shaped catalogue covers every switch of its candidate, and its samples have their own folder", async (t) => {
  const adapter = loadAdapter(join(PROJECT_ROOT, 'platforms/engageip-shaped'));
  const catalogue = loadMutantCatalogue(join(PROJECT_ROOT, 'mutants/engageip-shaped-platform.yaml'));
  t.same(catalogue.mutants.map((m) => m.switch).sort(), [...(adapter.regressionSwitches?.switches ?? [])].sort(), 'a new switch must say which check catches it');
  t.ok(catalogue.mutants.length >= 4);
  const dir = t.testdir({ samples: {} });
  const plan = loadPlan(writeMutantPlan(catalogue.plan, dir, join(dir, 'samples'), { accounts: 300, seed: 9 }, ['provisioning-not-sent'], 'provisioning-not-sent'));
  t.equal(plan.productionResult.ledger, join(dir, 'samples/mutants-engageip-shaped-300-seed-9/production-ledger.jsonl'), "never the sample platform's folder of the same size");
  t.same(plan.platform.faults, ['provisioning-not-sent']);
});

t.test('a malformed catalogue is refused with its location', async (t) => {
  const dir = t.testdir({
    'twice.yaml': 'version: 1\nplan: p.yaml\nmutants:\n  - { switch: a, area: billing, regression: r, caughtBy: [x] }\n  - { switch: a, area: mail, regression: r, caughtBy: [y] }\n',
    'bad-area.yaml': 'version: 1\nplan: p.yaml\nmutants:\n  - { switch: a, area: taxes, regression: r, caughtBy: [x] }\n',
    'no-check.yaml': 'version: 1\nplan: p.yaml\nmutants:\n  - { switch: a, area: billing, regression: r, caughtBy: [] }\n',
  });
  const err = t.throws(() => loadMutantCatalogue(join(dir, 'twice.yaml'))) as unknown;
  t.ok(err instanceof ConfigError, 'a located error');
  t.match((err as Error).message, /twice\.yaml:5:\d+: switch a is listed twice/);
  for (const file of ['bad-area.yaml', 'no-check.yaml']) {
    const e = t.throws(() => loadMutantCatalogue(join(dir, file))) as unknown;
    t.ok(e instanceof ConfigErrors || e instanceof ConfigError, `${file}: located`);
    t.match((e as Error).message, new RegExp(`${file.replace('.', '\\.')}:4:`));
  }
});

t.test('a mutant plan differs from the template only by its switch, sample and report folder', async (t) => {
  const dir = t.testdir({ samples: {} });
  const catalogue = loadMutantCatalogue(CATALOGUE);
  const file = writeMutantPlan(catalogue.plan, dir, join(dir, 'samples'), { accounts: 300, seed: 9 }, ['discount-dropped'], 'discount-dropped');
  const plan = loadPlan(file);
  t.same(plan.platform.faults, ['discount-dropped']);
  t.equal(plan.report.dir, join(dir, 'reports'));
  t.same(plan.sample, { accounts: 300, seed: 9 });
  t.equal(plan.productionResult.ledger, join(dir, 'samples/mutants-sample-300-seed-9/production-ledger.jsonl'), "production's ledger comes with the sample, in a folder of the platform's own");
  t.equal(plan.sanitize.rules, join(PROJECT_ROOT, 'sanitize/sample-platform.yaml'), 'relative paths still point where the template meant');
  const template = parse(readFileSync(catalogue.plan, 'utf8')) as { scenarios: unknown; billRun: unknown };
  const written = parse(readFileSync(file, 'utf8')) as { scenarios: unknown; billRun: unknown };
  t.same(written.scenarios, template.scenarios);
  t.same(written.billRun, template.billRun);
  t.equal(plan.verify.control, undefined, 'no control run unless the switch asks for one');
  const withControlRun = loadPlan(writeMutantPlan(catalogue.plan, dir, join(dir, 'samples'), { accounts: 300, seed: 9 }, ['mail-stale-bill-date'], 'mail-stale-bill-date', { controlRun: true }));
  t.equal(withControlRun.verify.control, 'production-release', 'a switch only the control run sees is rehearsed with one');
  t.same(selectMutants(catalogue, ['mail-stale-bill-date']).map((m) => m.control), [true], 'the catalogue says so for that switch');
});

t.test('the results section replaces only the generated part of docs/mutants.md', async (t) => {
  const dir = t.testdir({ 'mutants.md': `# Mutants\n\nprose before\n\n${BEGIN_MARKER}\nold table\n${END_MARKER}\n\nprose after\n` });
  const file = join(dir, 'mutants.md');
  writeResultsSection(file, `${BEGIN_MARKER}\nnew table\n${END_MARKER}`);
  const text = readFileSync(file, 'utf8');
  t.match(text, /prose before[\s\S]*new table[\s\S]*prose after/);
  t.notMatch(text, /old table/);
  writeFileSync(file, '# Mutants\n');
  writeResultsSection(file, `${BEGIN_MARKER}\nfirst\n${END_MARKER}`);
  t.match(readFileSync(file, 'utf8'), /^# Mutants\n\n<!-- mutants:begin/);
});

t.test("the results section names the commit, and the files that differed from it when the run started", async (t) => {
  const facts = { command: 'npm run mutants -- --write', finishedAt: '2026-12-04T18:00:00.000Z', commit: '8ab128e', accounts: 2000, seed: 42, controlVerdict: 'GO' };
  t.match(resultsSection({ ...facts, uncommitted: [] }, []), /, commit 8ab128e, sample of 2,000 accounts/, 'a clean tree: the commit alone');
  const changed = resultsSection({ ...facts, uncommitted: ['src/a.ts', 'src/b.ts'] }, []);
  t.match(changed, /commit 8ab128e \+ uncommitted changes in 2 file\(s\) \(`src\/a\.ts`, `src\/b\.ts`\), sample of/, 'the working tree rehearsed is said to differ');
  const many = resultsSection({ ...facts, uncommitted: Array.from({ length: 9 }, (_, i) => `f${i}.ts`) }, []);
  t.match(many, /in 9 file\(s\) \(`f0\.ts`, `f1\.ts`, `f2\.ts`, `f3\.ts`, `f4\.ts`, …\)/, 'five named, the rest counted');
});
