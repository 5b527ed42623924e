import t from 'tap';
import { loadPlan } from '../../src/plan/load.js';
import { ConfigErrors } from '../../src/errors.js';
import { makePlanDir, validPlanText } from '../helpers/plan-fixture.js';

const dir = makePlanDir();
t.teardown(() => dir.cleanup());

const REASON = 'the release prints the service period on a line of its own (RN-204)';

function errorsOf(section: string): string {
  try {
    loadPlan(dir.write('plan.yaml', `${validPlanText()}platformOverrides:\n${section}`));
  } catch (error) {
    if (error instanceof ConfigErrors) return error.message;
    throw error;
  }
  throw new Error('plan unexpectedly valid');
}

const first = validPlanText().split('\n').length + 1;

t.test('overrides and enabled services load with their reasons and plan positions', async (t) => {
  const file = dir.write('good.yaml', `${validPlanText()}platformOverrides:\n  configuration:\n    - { item: invoice.taxLabel, value: VAT, reason: "${REASON}" }\n  enableServices:\n    - { service: job-scheduler, reason: "invoice e-mail moves into a scheduled job" }\n`);
  const plan = loadPlan(file);
  t.same(plan.platformOverrides, {
    configuration: [{ item: 'invoice.taxLabel', value: 'VAT', reason: REASON, at: `${file}:${first + 1}:7` }],
    enableServices: [{ service: 'job-scheduler', reason: 'invoice e-mail moves into a scheduled job' }],
  });
  t.same(loadPlan(dir.write('none.yaml', validPlanText())).platformOverrides, { configuration: [], enableServices: [] }, 'nothing overridden by default');
});

const malformed: { name: string; section: string; error: RegExp }[] = [
  { name: 'an override without a reason', section: '  configuration:\n    - { item: invoice.taxLabel, value: VAT }\n', error: new RegExp(`plan\\.yaml:${first + 1}:\\d+: missing required field \`platformOverrides\\.configuration\\.0\\.reason\``) },
  { name: 'a reason of spaces', section: '  configuration:\n    - { item: invoice.taxLabel, value: VAT, reason: "              " }\n', error: new RegExp(`plan\\.yaml:${first + 1}:\\d+: say why the rehearsal must differ from production here`) },
  { name: 'the same item twice', section: `  configuration:\n    - { item: invoice.taxLabel, value: VAT, reason: "${REASON}" }\n    - { item: invoice.taxLabel, value: GST, reason: "${REASON}" }\n`, error: new RegExp(`plan\\.yaml:${first + 2}:\\d+: bill-run configuration item invoice\\.taxLabel is overridden twice`) },
  { name: 'a service the adapter does not list', section: '  enableServices:\n    - { service: event-manager, reason: "the release logs through it" }\n', error: new RegExp(`plan\\.yaml:${first + 1}:\\d+: the platform adapter .*adapter\\.yaml lists no service event-manager; it lists job-scheduler`) },
  { name: 'a service without a reason', section: '  enableServices:\n    - { service: job-scheduler }\n', error: new RegExp(`plan\\.yaml:${first + 1}:\\d+: missing required field \`platformOverrides\\.enableServices\\.0\\.reason\``) },
  { name: 'an unknown key', section: '  services: [job-scheduler]\n', error: new RegExp(`plan\\.yaml:${first}:\\d+: .*services`) },
];

for (const m of malformed) {
  t.test(`${m.name}: a clear error at file:line:column, and no plan`, async (t) => {
    t.match(errorsOf(m.section), m.error);
  });
}
