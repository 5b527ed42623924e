/**
 * Runs a shell script on an instance through SSM Run Command and waits for it, so a Pulumi
 * `local.Command` can make `pulumi up` fail when a step inside the VPC fails. The operator's
 * machine only sends the command; the work (and the database connection) stays on the host.
 */
import { pathToFileURL } from 'node:url';
import { $, sleep as zxSleep } from 'zx';
import { UserError } from '../../src/errors.js';
import { childEnvironment } from '../../src/runtime/child-environment.js';

/** Runs `aws <args>` and resolves with its stdout; rejects with stderr in the message. */
export type AwsCli = (args: readonly string[]) => Promise<string>;

export interface HostCommand {
  readonly instanceId: string;
  /** What the step is, for messages: `sanitize`, `restore`. */
  readonly step: string;
  readonly script: readonly string[];
  readonly timeoutSeconds: number;
  readonly pollSeconds: number;
}

export interface HostCommandResult {
  readonly commandId: string;
  readonly output: string;
}

const PENDING = new Set(['Pending', 'InProgress', 'Delayed', 'Cancelling']);
const OUTPUT_TAIL_CHARS = 4000;

export async function runOnHost(
  command: HostCommand,
  aws: AwsCli,
  sleep: (seconds: number) => Promise<void> = (seconds) => zxSleep(seconds * 1000),
  now: () => number = Date.now,
): Promise<HostCommandResult> {
  const deadline = now() + command.timeoutSeconds * 1000;
  const timedOut = (waitingFor: string): UserError =>
    new UserError(
      `The ${command.step} step gave up after ${command.timeoutSeconds} s waiting for ${waitingFor} on rehearsal host ${command.instanceId}. ` +
        'Check the instance in the SSM console (Fleet Manager, Run Command history), then run `pulumi up` again; the step re-runs.',
    );

  while ((await pingStatus(aws, command.instanceId)) !== 'Online') {
    if (now() >= deadline) throw timedOut('the SSM agent to come online');
    await sleep(command.pollSeconds);
  }

  const remaining = Math.max(60, Math.floor((deadline - now()) / 1000));
  const commandId = (
    await aws([
      'ssm', 'send-command',
      '--instance-ids', command.instanceId,
      '--document-name', 'AWS-RunShellScript',
      '--comment', `rehearsal ${command.step}`.slice(0, 100),
      '--parameters', JSON.stringify({ commands: command.script, executionTimeout: [String(remaining)] }),
      '--query', 'Command.CommandId',
      '--output', 'text',
    ])
  ).trim();

  for (;;) {
    const invocation = await invocationStatus(aws, commandId, command.instanceId);
    if (invocation !== undefined && !PENDING.has(invocation.Status)) {
      const output = tail(invocation.StandardOutputContent);
      if (invocation.Status === 'Success') return { commandId, output };
      throw new UserError(
        `The ${command.step} step failed on rehearsal host ${command.instanceId} (SSM command ${commandId}, status ${invocation.Status}); ` +
          '`pulumi up` stops here so nothing runs against an unproven database. Fix the cause shown below and run `pulumi up` again.\n' +
          tail(`${invocation.StandardOutputContent}\n${invocation.StandardErrorContent}`),
      );
    }
    if (now() >= deadline) throw timedOut(`SSM command ${commandId} to finish`);
    await sleep(command.pollSeconds);
  }
}

async function pingStatus(aws: AwsCli, instanceId: string): Promise<string> {
  const status = await aws([
    'ssm', 'describe-instance-information',
    '--filters', `Key=InstanceIds,Values=${instanceId}`,
    '--query', 'InstanceInformationList[0].PingStatus',
    '--output', 'text',
  ]);
  return status.trim();
}

interface Invocation {
  readonly Status: string;
  readonly StandardOutputContent: string;
  readonly StandardErrorContent: string;
}

async function invocationStatus(aws: AwsCli, commandId: string, instanceId: string): Promise<Invocation | undefined> {
  try {
    return JSON.parse(await aws(['ssm', 'get-command-invocation', '--command-id', commandId, '--instance-id', instanceId, '--output', 'json'])) as Invocation;
  } catch (error) {
    // SSM needs a moment after send-command before the invocation exists.
    if (error instanceof Error && error.message.includes('InvocationDoesNotExist')) return undefined;
    throw error;
  }
}

function tail(text: string): string {
  const trimmed = text.trim();
  return trimmed.length <= OUTPUT_TAIL_CHARS ? trimmed : `…${trimmed.slice(-OUTPUT_TAIL_CHARS)}`;
}

/** What the AWS CLI reads: its credentials, profile, region and config files; nothing else of ours. */
const AWS_ENVIRONMENT = [
  'HOME', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CA_BUNDLE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN', 'AWS_ROLE_SESSION_NAME',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN',
] as const;
const AWS_CALL_TIMEOUT = '5m';

export const awsCli: AwsCli = async (args) => {
  const env = childEnvironment({ ...Object.fromEntries(AWS_ENVIRONMENT.map((name) => [name, process.env[name]])), SHLVL: '1' });
  const result = await $({ nothrow: true, quiet: true, timeout: AWS_CALL_TIMEOUT, env })`aws ${[...args]}`;
  if (result.exitCode !== 0) {
    const why = result.stderr.trim() || (result.signal !== null ? `killed by ${result.signal} after ${AWS_CALL_TIMEOUT}` : `exit ${result.exitCode}`);
    throw new Error(`aws ${args.slice(0, 2).join(' ')} failed: ${why}`);
  }
  return result.stdout;
};

/** Environment contract with the `HostStep` component that starts this file. */
export const HOST_STEP_ENV = {
  instanceId: 'REHEARSAL_HOST_INSTANCE_ID',
  step: 'REHEARSAL_HOST_STEP',
  script: 'REHEARSAL_HOST_SCRIPT',
  timeoutSeconds: 'REHEARSAL_HOST_TIMEOUT_SECONDS',
} as const;

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new UserError(`${name} is not set; this script is started by the HostStep Pulumi resource, which sets it.`);
  return value;
}

async function main(): Promise<void> {
  const result = await runOnHost(
    {
      instanceId: requiredEnv(HOST_STEP_ENV.instanceId),
      step: requiredEnv(HOST_STEP_ENV.step),
      script: JSON.parse(requiredEnv(HOST_STEP_ENV.script)) as string[],
      timeoutSeconds: Number(requiredEnv(HOST_STEP_ENV.timeoutSeconds)),
      pollSeconds: 15,
    },
    awsCli,
  );
  process.stdout.write(`${result.output}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof UserError ? error.message : error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  });
}
