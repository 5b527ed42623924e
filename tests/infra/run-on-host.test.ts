import t from 'tap';
import { commandComment, runOnHost, s3UriOf, type AwsCli } from '../../infra/ssm/run-on-host.js';
import { UserError } from '../../src/errors.js';

const command = { instanceId: 'i-0abc', step: 'sanitize', script: ['echo proof'], timeoutSeconds: 600, pollSeconds: 5 };

interface Scenario {
  readonly ping: string[];
  readonly invocations: (string | { Status: string; out?: string; err?: string; outUrl?: string })[];
  /** Commands `list-commands` reports for the instance. */
  readonly listed?: { CommandId: string; Comment: string; Status: string }[];
  /** Objects `aws s3 cp <uri> -` prints. */
  readonly objects?: Record<string, string>;
}

/** A stand-in for the AWS CLI that plays an SSM conversation and records what it was asked. */
function scriptedCli(scenario: Scenario): { cli: AwsCli; calls: string[][] } {
  const calls: string[][] = [];
  const cancelling = new Map<string, number>();
  // A cancelled command shows as Cancelling for one more listing, then Cancelled: cancelling takes a moment.
  const listing = (): { CommandId: string; Comment: string; Status: string }[] =>
    (scenario.listed ?? []).map((c) => {
      const seen = cancelling.get(c.CommandId);
      if (seen === undefined) return c;
      cancelling.set(c.CommandId, seen + 1);
      return { ...c, Status: seen < 2 ? 'InProgress' : 'Cancelled' };
    });
  const ping = [...scenario.ping];
  const invocations = [...scenario.invocations];
  const cli: AwsCli = async (args) => {
    calls.push([...args]);
    if (args[1] === 'describe-instance-information') return `${ping.shift() ?? 'Online'}\n`;
    if (args[1] === 'send-command') return 'cmd-123\n';
    if (args[1] === 'list-commands') return JSON.stringify({ Commands: listing() });
    if (args[1] === 'cancel-command') {
      cancelling.set(args[3] ?? '', (cancelling.get(args[3] ?? '') ?? 0) + 1);
      return '';
    }
    if (args[0] === 's3' && args[1] === 'cp') {
      const object = scenario.objects?.[args[3] ?? ''];
      if (object === undefined) throw new Error(`aws s3 cp failed: NoSuchKey ${args[3]}`);
      return object;
    }
    const next = invocations.shift();
    if (next === undefined || typeof next === 'string') throw new Error(`aws ssm get-command-invocation failed: ${next ?? 'InvocationDoesNotExist'}`);
    return JSON.stringify({ Status: next.Status, StandardOutputContent: next.out ?? '', StandardErrorContent: next.err ?? '', StandardOutputUrl: next.outUrl ?? '', StandardErrorUrl: '' });
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

t.test('an interrupted up does not run the same step twice: it waits for the command still running', async (t) => {
  const { sleep, now } = clock();
  const running = { CommandId: 'cmd-earlier', Comment: commandComment('sanitize', command.script), Status: 'InProgress' };
  const { cli, calls } = scriptedCli({ ping: [], invocations: [{ Status: 'InProgress' }, { Status: 'Success', out: 'sanitized' }], listed: [running] });
  t.same(await runOnHost(command, cli, sleep, now), { commandId: 'cmd-earlier', output: 'sanitized' });
  t.notOk(calls.some((c) => c[1] === 'send-command'), 'nothing new is sent');
  t.notOk(calls.some((c) => c[1] === 'cancel-command'), 'its own command is not cancelled');
  t.ok(calls.filter((c) => c[1] === 'get-command-invocation').every((c) => c.includes('cmd-earlier')), 'it follows the running command');
});

t.test('a stale rehearsal command (another script) is cancelled before the step is sent', async (t) => {
  const { sleep, now } = clock();
  const listed = [
    { CommandId: 'cmd-stale', Comment: commandComment('sanitize', ['echo old script']), Status: 'InProgress' },
    { CommandId: 'cmd-other-tool', Comment: 'patching', Status: 'InProgress' },
    { CommandId: 'cmd-done', Comment: commandComment('sanitize', command.script), Status: 'Success' },
  ];
  const { cli, calls } = scriptedCli({ ping: [], invocations: [{ Status: 'Success' }], listed });
  t.equal((await runOnHost(command, cli, sleep, now)).commandId, 'cmd-123');
  t.same(calls.filter((c) => c[1] === 'cancel-command').map((c) => c[3]), ['cmd-stale'], 'only the stale rehearsal command is cancelled');
  const send = calls.findIndex((c) => c[1] === 'send-command');
  const lastListing = calls.map((c) => c[1]).lastIndexOf('list-commands');
  t.ok(send > lastListing && lastListing > calls.findIndex((c) => c[1] === 'cancel-command'), 'sent only once the cancelled command has stopped');
  t.equal(calls[send]?.[calls[send]!.indexOf('--comment') + 1], commandComment('sanitize', command.script), 'the comment is the idempotency key');
});

t.test('the full output goes to the transfer bucket, and a failure longer than SSM keeps is read back from it', async (t) => {
  const { sleep, now } = clock();
  const outUrl = 'https://s3.eu-west-1.amazonaws.com/rehearsal-transfer/ssm-output/sanitize/cmd-123/i-0abc/awsrunShellScript/0.awsrunShellScript/stdout';
  const cut = `${'progress line\n'.repeat(1714)}--output truncated--`;
  const { cli, calls } = scriptedCli({
    ping: [],
    invocations: [{ Status: 'Failed', out: cut, outUrl }],
    objects: { 's3://rehearsal-transfer/ssm-output/sanitize/cmd-123/i-0abc/awsrunShellScript/0.awsrunShellScript/stdout': `${'progress line\n'.repeat(3000)}PII proof failed: Contact.Email holds 12 real addresses\n` },
  });
  const withBucket = { ...command, outputBucket: 'rehearsal-transfer', outputPrefix: 'ssm-output/' };
  await t.rejects(runOnHost(withBucket, cli, sleep, now), /PII proof failed: Contact\.Email holds 12 real addresses/);
  await t.rejects(
    runOnHost(withBucket, scriptedCli({ ping: [], invocations: [{ Status: 'Failed', out: cut, outUrl }], objects: {} }).cli, sleep, now),
    /Full output: s3:\/\/rehearsal-transfer\/ssm-output\/sanitize\/cmd-123/,
    'the message names the S3 object even when it cannot be read',
  );
  const send = calls.find((c) => c[1] === 'send-command') ?? [];
  t.equal(send[send.indexOf('--output-s3-bucket-name') + 1], 'rehearsal-transfer');
  t.equal(send[send.indexOf('--output-s3-key-prefix') + 1], 'ssm-output/sanitize');
});

t.test('S3 URLs of SSM output become s3:// URIs', async (t) => {
  t.equal(s3UriOf('https://s3.eu-west-1.amazonaws.com/bucket/a/b/stdout'), 's3://bucket/a/b/stdout');
  t.equal(s3UriOf('https://bucket.s3.eu-west-1.amazonaws.com/a/stdout'), 's3://bucket/a/stdout');
  t.equal(s3UriOf('not a url'), undefined);
});
