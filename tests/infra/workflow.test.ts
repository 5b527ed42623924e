// The rehearse workflow (.github/workflows/rehearse.yml) read as data: what a reviewer checks by hand.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';

interface Step {
  readonly name: string;
  readonly if?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly env?: Record<string, string>;
  readonly with?: Record<string, unknown>;
  readonly 'timeout-minutes'?: number;
}
interface Workflow {
  readonly env?: Record<string, string>;
  readonly permissions?: Record<string, string>;
  readonly jobs: Record<string, { 'timeout-minutes': number; env?: Record<string, string>; steps: Step[] }>;
}

const workflow = parse(readFileSync(new URL('../../.github/workflows/rehearse.yml', import.meta.url), 'utf8')) as Workflow;
const job = workflow.jobs['rehearse']!;
const steps = job.steps;
const index = (pattern: RegExp): number => steps.findIndex((s) => pattern.test(s.name));
const stackFile = parse(readFileSync(new URL('../../stacks/Pulumi.rc-2026-12-1.yaml', import.meta.url), 'utf8')) as { config: Record<string, { bundlePath?: string }> };

t.test('the job limit holds every step limit, within GitHub-hosted runners\' 360 minutes', async (t) => {
  t.same(steps.filter((s) => s['timeout-minutes'] === undefined).map((s) => s.name), [], 'every step has its own limit');
  const sum = steps.reduce((total, s) => total + (s['timeout-minutes'] ?? 0), 0);
  t.ok(sum <= job['timeout-minutes'], `steps add up to ${sum} minutes, the job allows ${job['timeout-minutes']}`);
  t.ok(job['timeout-minutes'] <= 360, 'a GitHub-hosted job cannot run longer');
});

t.test('no long-lived key is visible to npm install scripts', async (t) => {
  const secretsIn = (env: Record<string, string> | undefined): string[] => Object.entries(env ?? {}).filter(([, v]) => v.includes('secrets.')).map(([k]) => k);
  t.same(secretsIn(workflow.env), [], 'no secret in the workflow environment');
  t.same(secretsIn(job.env), [], 'no secret in the job environment');
  const install = index(/^Install dependencies$/);
  t.match(steps[install]?.run, /npm ci --ignore-scripts\n/, 'install scripts do not run');
  t.match(steps[install]?.run, /npm rebuild better-sqlite3/, 'the one native build is explicit');
  const credentials = steps.findIndex((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@') === true);
  t.ok(credentials > install, 'AWS credentials exist only after the install');
  t.match(steps[credentials]?.with, { 'role-to-assume': '${{ vars.AWS_ROLE_ARN }}' }, 'an OIDC role, no access key');
  t.equal(workflow.permissions?.['id-token'], 'write');
  t.notMatch(JSON.stringify(workflow), /AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/, 'no stored AWS key anywhere');
  steps.slice(0, install + 1).forEach((s) => t.same(secretsIn(s.env), [], `${s.name} sees no secret`));
});

t.test('the aws path builds the bundle the stack uploads, before pulumi up', async (t) => {
  const build = index(/^Build the host bundle/);
  t.ok(build >= 0 && build < index(/^pulumi up/), 'built before pulumi up');
  t.equal(steps[build]?.if, "inputs.target == 'aws'");
  const bundlePath = stackFile.config['rehearsal:rehearsalHost']?.bundlePath ?? '';
  t.match(steps[build]?.run, new RegExp(`tar -czf ${bundlePath} .*node_modules`), `it writes ${bundlePath}, which the example stack names`);
  t.match(steps[build]?.run, /\bplans\b/, 'the plans are in it');
});

t.test('pulumi up previews first, so the policy pack runs before anything is created', async (t) => {
  const up = steps[index(/^pulumi up/)];
  t.match(up?.run, /pulumi up --yes -s "\$STACK" --policy-pack policy --policy-pack-config/);
  t.notMatch(up?.run, /--skip-preview/);
  t.match(steps[index(/policy configuration from its plan/)]?.run, /infra\/policy-config\.ts "\$plan"/, 'the policy configuration comes from the plan');
});

t.test('a NO-GO still uploads the report, and the stack is always destroyed', async (t) => {
  const billRun = steps[index(/^Bill run, verify and report$/)];
  t.notMatch(billRun?.run, /set -e/, 'no set -e that aborts before the report is fetched');
  t.match(billRun?.run, /exit "\$status"\s*$/, 'the status is returned at the end');
  t.match(billRun?.run, /REHEARSAL_HOST_SCRIPT=\$\(jq -c \.hostBillRunScript/, 'the host script comes from the stack, not from workflow text');
  t.equal(steps[index(/^Upload the reports/)]?.if, 'always()');
  t.equal(steps[index(/^Destroy the stack/)]?.if, 'always()');
  t.ok(index(/^Upload the reports/) < index(/^Destroy the stack/));
});

t.test('inputs reach scripts only through the environment', async (t) => {
  for (const step of steps) if (step.run !== undefined) t.notMatch(step.run, /\$\{\{/, `${step.name}: no expression spliced into the script`);
  t.equal(workflow.env?.['RC'], '${{ inputs.rc }}');
});
