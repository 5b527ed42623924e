import t from 'tap';
import { loadPlan } from '../../src/plan/load.js';
import { ConfigErrors } from '../../src/errors.js';
import { makePlanDir, validPlanText } from '../helpers/plan-fixture.js';

const dir = makePlanDir();
t.teardown(() => dir.cleanup());

/** The valid fixture with `verify.stateDifferential.ignore` set to `rules` (YAML list items, indented 4). */
function withIgnore(rules: string): string {
  return `${validPlanText()}verify:\n  stateDifferential:\n    ignore:\n${rules}`;
}

function errorsOf(rules: string): string {
  try {
    loadPlan(dir.write('plan.yaml', withIgnore(rules)));
  } catch (error) {
    if (error instanceof ConfigErrors) return error.message;
    throw error;
  }
  throw new Error('plan unexpectedly valid');
}

const firstRuleLine = validPlanText().split('\n').length + 3;

t.test('table and column rules load with their reasons', async (t) => {
  const plan = loadPlan(dir.write('good.yaml', withIgnore('      - { table: audit_trail, reason: "the release rewrites its audit trail" }\n      - { column: invoices.delivery_channel, reason: "release 7.5 records the delivery channel" }\n')));
  t.same(plan.verify.stateDifferential.ignore, [
    { table: 'audit_trail', reason: 'the release rewrites its audit trail' },
    { column: 'invoices.delivery_channel', reason: 'release 7.5 records the delivery channel' },
  ]);
});

const malformed: { name: string; rules: string; error: RegExp }[] = [
  { name: 'a column without its table', rules: '      - { column: delivery_channel, reason: "release 7.5 records the delivery channel" }\n', error: new RegExp(`plan\\.yaml:${firstRuleLine}:\\d+: \`verify\\.stateDifferential\\.ignore\\.0\\.column\` has an invalid format`) },
  { name: 'no reason', rules: '      - { column: invoices.delivery_channel }\n', error: new RegExp(`plan\\.yaml:${firstRuleLine}:\\d+: missing required field \`verify\\.stateDifferential\\.ignore\\.0\\.reason\``) },
  { name: 'a reason of spaces', rules: '      - { column: invoices.delivery_channel, reason: "            " }\n', error: new RegExp(`plan\\.yaml:${firstRuleLine}:\\d+: say why this may differ from production`) },
  { name: 'both a table and a column', rules: '      - { table: invoices, column: invoices.delivery_channel, reason: "release 7.5 records the delivery channel" }\n', error: new RegExp(`plan\\.yaml:${firstRuleLine}:\\d+: an ignore rule names either \`table\` or \`column\``) },
  { name: 'the same column twice', rules: '      - { column: invoices.delivery_channel, reason: "release 7.5 records the delivery channel" }\n      - { column: invoices.delivery_channel, reason: "listed again by another reviewer" }\n', error: new RegExp(`plan\\.yaml:${firstRuleLine + 1}:\\d+: \`invoices\\.delivery_channel\` is already ignored at line ${firstRuleLine}; list it once`) },
  { name: 'a column of a table ignored whole', rules: '      - { table: invoices, reason: "the release rewrites every invoice" }\n      - { column: invoices.delivery_channel, reason: "release 7.5 records the delivery channel" }\n', error: new RegExp(`plan\\.yaml:${firstRuleLine + 1}:\\d+: table \`invoices\` is ignored whole`) },
];

for (const m of malformed) {
  t.test(`${m.name}: a clear error at file:line, and no plan`, async (t) => {
    t.match(errorsOf(m.rules), m.error);
  });
}
