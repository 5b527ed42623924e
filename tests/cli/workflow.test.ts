import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';
import { REPORT_FILES } from '../../src/report/write.js';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: { workflow_dispatch?: { inputs?: Record<string, { required?: boolean }> } };
  concurrency: { group: string; 'cancel-in-progress': boolean };
  jobs: Record<string, { steps: Step[] }>;
}

const file = join(PROJECT_ROOT, '.github/workflows/rehearse.yml');
const document = parseDocument(readFileSync(file, 'utf8'), { prettyErrors: true, uniqueKeys: true });
const workflow = document.toJS() as Workflow;
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
const stepRunning = (pattern: RegExp): Step | undefined => steps.find((s) => s.run !== undefined && pattern.test(s.run));

t.test('the workflow is valid YAML', async (t) => {
  t.same(document.errors, [], 'no YAML errors');
  t.same(document.warnings, [], 'no YAML warnings');
});

t.test('it runs for a given release candidate, one rehearsal per release candidate at a time', async (t) => {
  t.equal(workflow.on.workflow_dispatch?.inputs?.rc?.required, true, 'release candidate input');
  t.equal(workflow.concurrency.group, 'rehearsal-${{ inputs.rc }}');
  t.equal(workflow.concurrency['cancel-in-progress'], false, 'a running rehearsal is never cancelled midway (its destroy must run)');
});

t.test('every action is pinned to a full commit SHA', async (t) => {
  const used = steps.filter((s) => s.uses !== undefined);
  t.ok(used.length >= 4);
  for (const step of used) t.match(step.uses, /^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/, `${step.uses} is pinned`);
  const actions = used.map((s) => s.uses!.split('@')[0]);
  for (const action of ['actions/checkout', 'actions/setup-node', 'actions/upload-artifact', 'pulumi/actions']) t.ok(actions.includes(action), `uses ${action}`);
});

t.test('it builds with the policy pack, rehearses, uploads the reports and always destroys and removes the stack', async (t) => {
  const order = (pattern: RegExp): number => steps.findIndex((s) => s.run !== undefined && pattern.test(s.run));
  t.ok(stepRunning(/^npm ci --ignore-scripts$/m), 'npm ci, without install scripts');
  t.ok(stepRunning(/pulumi stack select[\s\S]*\|\| pulumi stack init/), 'creates or selects the stack');
  const up = stepRunning(/pulumi up [^\n]*--policy-pack policy/);
  t.ok(up, 'pulumi up with the policy pack');
  t.ok(stepRunning(/rehearse\.ts (report|"\$stage")/), 'runs the rehearsal');
  const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
  t.equal(upload?.if, 'always()', 'reports are uploaded after a failure too');
  for (const file of [REPORT_FILES.html, REPORT_FILES.junit]) t.ok(String(upload?.with?.path).includes(`reports/latest/${file}`), `uploads ${file}`);
  const destroy = stepRunning(/pulumi destroy/);
  t.equal(destroy?.if, 'always()', 'destroy runs on failure and cancel');
  t.match(destroy?.run, /pulumi stack rm --yes/);
  t.equal(steps.at(-1), destroy, 'destroy is the last step');
  t.ok(order(/pulumi up /) < order(/rehearse\.ts/) && order(/rehearse\.ts/) < order(/pulumi destroy/), 'up, rehearse, destroy in that order');
});
