import t from 'tap';
import { loadPlan } from '../../src/plan/load.js';
import { ConfigErrors } from '../../src/errors.js';
import { makePlanDir, validPlanText } from '../helpers/plan-fixture.js';

const dir = makePlanDir();
t.teardown(() => dir.cleanup());

const withLedger = (ledger: string, extra = ''): string =>
  validPlanText().replace('  path: production-result.db\n', `  path: production-result.db\n  ledger: ${ledger}\n`) + extra;

function errorsFor(text: string): string {
  try {
    loadPlan(dir.write('plan.yaml', text));
  } catch (error) {
    if (error instanceof ConfigErrors) return error.message;
    throw error;
  }
  throw new Error('plan unexpectedly valid');
}

t.test("productionResult.ledger is optional, and resolved beside the plan when given", async (t) => {
  t.equal(loadPlan(dir.write('plan.yaml', validPlanText())).productionResult.ledger, undefined);
  dir.write('production-ledger.jsonl', '');
  t.equal(loadPlan(dir.write('plan.yaml', withLedger('production-ledger.jsonl'))).productionResult.ledger, `${dir.dir}/production-ledger.jsonl`);
});

t.test("a ledger that is not there is an error at its line and column, before anything runs", async (t) => {
  t.match(errorsFor(withLedger('missing.jsonl')), /plan\.yaml:14:11: production's ledger .*missing\.jsonl does not exist/);
  t.match(errorsFor(withLedger("''")), /plan\.yaml:14:\d+: .*ledger/);
});

t.test("with `sample`, the ledger is the one the generator writes beside the snapshot", async (t) => {
  const sample = (text: string): string => text.replace('snapshot:\n', 'sample: { accounts: 100, seed: 1 }\nsnapshot:\n');
  t.equal(loadPlan(dir.write('plan.yaml', sample(withLedger('production-ledger.jsonl')))).productionResult.ledger, `${dir.dir}/production-ledger.jsonl`);
  t.match(errorsFor(sample(withLedger('elsewhere/ledger.jsonl'))), /with `sample`, production's ledger must be production-ledger\.jsonl in the snapshot's folder/);
});
