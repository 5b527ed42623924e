/**
 * Runs a shell script on an instance through SSM Run Command and waits for it, so a Pulumi
 * `local.Command` can make `pulumi up` fail when a step inside the VPC fails. The operator's
 * machine only sends the command; the work (and the database connection) stays on the host.
 */
import { createHash } from 'node:crypto';
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
  /** Transfer bucket and key prefix for the full output (SSM's API keeps only 24,000 / 8,000 characters). */
  readonly outputBucket?: string;
  readonly outputPrefix?: string;
}

export interface HostCommandResult {
  readonly commandId: string;
  readonly output: string;
}

const PENDING = new Set(['Pending', 'InProgress', 'Delayed', 'Cancelling']);
const OUTPUT_TAIL_CHARS = 4000;
/** Output limits of GetCommandInvocation; longer output is cut and only complete in S3. */
const INLINE_LIMIT = { stdout: 24000, stderr: 8000 } as const;
const COMMENT_TAG = 'rehearsal';

/**
 * The SSM comment names the step and a digest of its script: a command with the same comment that
 * is still running is this step's own, sent by an `up` that was interrupted, and is waited for
 * instead of sent again. A different running rehearsal command on the host is stale and cancelled.
 */
export function commandComment(step: string, script: readonly string[]): string {
  const digest = createHash('sha256').update(JSON.stringify(script)).digest('hex').slice(0, 16);
  return `${COMMENT_TAG} ${step} ${digest}`.slice(0, 100);
}

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

  const comment = commandComment(command.step, command.script);
  const inFlight = await runningRehearsalCommands(aws, command.instanceId);
  const own = inFlight.find((c) => c.Comment === comment);
  const stale = inFlight.filter((c) => c !== own).map((c) => c.CommandId);
  for (const commandId of stale) await aws(['ssm', 'cancel-command', '--command-id', commandId, '--instance-ids', command.instanceId]);
  // Cancelling is asynchronous: the old script must have stopped before the new one touches the database.
  while (stale.length > 0 && (await runningRehearsalCommands(aws, command.instanceId)).some((c) => stale.includes(c.CommandId))) {
    if (now() >= deadline) throw timedOut(`the cancelled SSM commands ${stale.join(', ')} to stop`);
    await sleep(command.pollSeconds);
  }
  const remaining = Math.max(60, Math.floor((deadline - now()) / 1000));
  const commandId =
    own?.CommandId ??
    (
      await aws([
        'ssm', 'send-command',
        '--instance-ids', command.instanceId,
        '--document-name', 'AWS-RunShellScript',
        '--comment', comment,
        '--parameters', JSON.stringify({ commands: command.script, executionTimeout: [String(remaining)] }),
        ...(command.outputBucket === undefined ? [] : ['--output-s3-bucket-name', command.outputBucket, '--output-s3-key-prefix', `${command.outputPrefix ?? ''}${command.step}`]),
        '--query', 'Command.CommandId',
        '--output', 'text',
      ])
    ).trim();

  for (;;) {
    const invocation = await invocationStatus(aws, commandId, command.instanceId);
    if (invocation !== undefined && !PENDING.has(invocation.Status)) {
      if (invocation.Status === 'Success') return { commandId, output: tail(invocation.StandardOutputContent) };
      const { stdout, stderr, where } = await fullOutput(aws, invocation);
      throw new UserError(
        `The ${command.step} step failed on rehearsal host ${command.instanceId} (SSM command ${commandId}, status ${invocation.Status}); ` +
          '`pulumi up` stops here so nothing runs against an unproven database. Fix the cause shown below and run `pulumi up` again.' +
          `${where}\n${tail(`${stdout}\n${stderr}`)}`,
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
  readonly StandardOutputUrl?: string;
  readonly StandardErrorUrl?: string;
}

interface ListedCommand {
  readonly CommandId: string;
  readonly Comment?: string;
  readonly Status: string;
}

async function runningRehearsalCommands(aws: AwsCli, instanceId: string): Promise<ListedCommand[]> {
  const listed = JSON.parse(
    await aws(['ssm', 'list-commands', '--instance-id', instanceId, '--filters', 'key=DocumentName,value=AWS-RunShellScript', '--max-items', '50', '--output', 'json']),
  ) as { Commands?: ListedCommand[] };
  return (listed.Commands ?? []).filter((c) => PENDING.has(c.Status) && c.Status !== 'Cancelling' && (c.Comment ?? '').startsWith(`${COMMENT_TAG} `));
}

/** `s3://bucket/key` of an SSM output URL (path style or virtual-hosted style). */
export function s3UriOf(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const path = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  const virtualHosted = /^(.+)\.s3[.-]/.exec(parsed.hostname);
  if (virtualHosted?.[1] !== undefined) return `s3://${virtualHosted[1]}/${path}`;
  return path.includes('/') ? `s3://${path}` : undefined;
}

/**
 * The failed step's output: from S3 when SSM cut it (the part that says why is usually at the
 * end), from the API otherwise. The message names the S3 objects either way.
 */
async function fullOutput(aws: AwsCli, invocation: Invocation): Promise<{ stdout: string; stderr: string; where: string }> {
  const read = async (inline: string, url: string | undefined, limit: number): Promise<string> => {
    const uri = url === undefined ? undefined : s3UriOf(url);
    if (uri === undefined || inline.length < limit) return inline;
    try {
      return await aws(['s3', 'cp', '--only-show-errors', uri, '-']);
    } catch {
      return inline;
    }
  };
  const uris = [invocation.StandardOutputUrl, invocation.StandardErrorUrl].map((u) => (u === undefined || u === '' ? undefined : s3UriOf(u))).filter((u): u is string => u !== undefined);
  return {
    stdout: await read(invocation.StandardOutputContent, invocation.StandardOutputUrl, INLINE_LIMIT.stdout),
    stderr: await read(invocation.StandardErrorContent, invocation.StandardErrorUrl, INLINE_LIMIT.stderr),
    where: uris.length === 0 ? '' : ` Full output: ${uris.join(' ')}`,
  };
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
  outputBucket: 'REHEARSAL_HOST_OUTPUT_BUCKET',
  outputPrefix: 'REHEARSAL_HOST_OUTPUT_PREFIX',
} as const;

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new UserError(`${name} is not set; this script is started by the HostStep Pulumi resource, which sets it.`);
  return value;
}

function optionalOutputLocation(): { outputBucket?: string; outputPrefix?: string } {
  const bucket = process.env[HOST_STEP_ENV.outputBucket];
  if (bucket === undefined || bucket === '') return {};
  return { outputBucket: bucket, outputPrefix: process.env[HOST_STEP_ENV.outputPrefix] ?? '' };
}

async function main(): Promise<void> {
  const result = await runOnHost(
    {
      instanceId: requiredEnv(HOST_STEP_ENV.instanceId),
      step: requiredEnv(HOST_STEP_ENV.step),
      script: JSON.parse(requiredEnv(HOST_STEP_ENV.script)) as string[],
      timeoutSeconds: Number(requiredEnv(HOST_STEP_ENV.timeoutSeconds)),
      pollSeconds: 15,
      ...optionalOutputLocation(),
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
