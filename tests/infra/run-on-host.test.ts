import t from 'tap';
import { runOnHost, type AwsCli } from '../../infra/ssm/run-on-host.js';
import { UserError } from '../../src/errors.js';

const command = { instanceId: 'i-0abc', step: 'sanitize', script: ['echo proof'], timeoutSeconds: 600, pollSeconds: 5 };

interface Scenario {
  readonly ping: string[];
  readonly invocations: (string | { Status: string; out?: string; err?: string })[];
}

/** A stand-in for the AWS CLI that plays an SSM conversation and records what it was asked. */
function scriptedCli(scenario: Scenario): { cli: AwsCli; calls: string[][] } {
  const calls: string[][] = [];
  const ping = [...scenario.ping];
  const invocations = [...scenario.invocations];
  const cli: AwsCli = async (args) => {
    calls.push([...args]);
    if (args[1] === 'describe-instance-information') return `${ping.shift() ?? 'Online'}\n`;
    if (args[1] === 'send-command') return 'cmd-123\n';
    const next = invocations.shift();
    if (next === undefined || typeof next === 'string') throw new Error(`aws ssm get-command-invocation failed: ${next ?? 'InvocationDoesNotExist'}`);
    return JSON.stringify({ Status: next.Status, StandardOutputContent: next.out ?? '', StandardErrorContent: next.err ?? '' });
  };
  return { cli, calls };
}

const clock = (): { sleep: (s: number) => Promise<void>; now: () => number } => {
  let time = 0;
  return { sleep: async (s) => void (time += s * 1000), now: () => time };
};

t.test('waits for the agent, sends the script, waits for success and returns the output', async (t) => {
  const { cli, calls } = scriptedCli({ ping: ['None', 'ConnectionLost', 'Online'], invocations: ['InvocationDoesNotExist', { Status: 'InProgress' }, { Status: 'Success', out: 'proof passed' }] });
  const { sleep, now } = clock();
  const result = await runOnHost(command, cli, sleep, now);
  t.same(result, { commandId: 'cmd-123', output: 'proof passed' });
  const send = calls.find((c) => c[1] === 'send-command') ?? [];
  t.equal(send[send.indexOf('--document-name') + 1], 'AWS-RunShellScript');
  t.same(JSON.parse(send[send.indexOf('--parameters') + 1] ?? '{}').commands, ['echo proof']);
  t.equal(calls.filter((c) => c[1] === 'describe-instance-information').length, 3, 'sent only once the agent is online');
});

t.test('a failed step fails with its output, so pulumi up stops', async (t) => {
  const { cli } = scriptedCli({ ping: [], invocations: [{ Status: 'Failed', out: 'PII proof failed: Contact.Email holds 12 real addresses', err: 'exit status 1' }] });
  const { sleep, now } = clock();
  await t.rejects(runOnHost(command, cli, sleep, now), UserError);
  await t.rejects(runOnHost(command, scriptedCli({ ping: [], invocations: [{ Status: 'Failed', out: 'PII proof failed' }] }).cli, sleep, now), /sanitize step failed on rehearsal host i-0abc.*status Failed[\s\S]*PII proof failed/);
});

t.test('timed-out and cancelled commands are failures too', async (t) => {
  for (const status of ['TimedOut', 'Cancelled']) {
    const { sleep, now } = clock();
    await t.rejects(runOnHost(command, scriptedCli({ ping: [], invocations: [{ Status: status }] }).cli, sleep, now), new RegExp(`status ${status}`));
  }
});

t.test('gives up with a clear message when the agent never comes online', async (t) => {
  const { sleep, now } = clock();
  const { cli, calls } = scriptedCli({ ping: Array(1000).fill('None'), invocations: [] });
  await t.rejects(runOnHost(command, cli, sleep, now), /gave up after 600 s waiting for the SSM agent/);
  t.notOk(calls.some((c) => c[1] === 'send-command'), 'nothing is sent to an unreachable host');
});

t.test('other CLI errors are not mistaken for a pending command', async (t) => {
  const { sleep, now } = clock();
  await t.rejects(runOnHost(command, scriptedCli({ ping: [], invocations: ['AccessDeniedException'] }).cli, sleep, now), /AccessDeniedException/);
});
