import * as command from '@pulumi/command';
import * as pulumi from '@pulumi/pulumi';
import { HOST_STEP_ENV } from './run-on-host.js';

export interface HostStepArgs {
  readonly instanceId: pulumi.Input<string>;
  readonly region: string;
  /** Stage name for messages and the SSM comment. */
  readonly step: string;
  readonly script: readonly string[];
  readonly timeoutSeconds: number;
  /** Any change replaces the step, i.e. runs it again (new snapshot, new database instance). */
  readonly triggers: pulumi.Input<unknown>[];
  /** Project root on the operator's machine, where `infra/ssm/run-on-host.ts` lives. */
  readonly projectDir: string;
}

/**
 * One stage run on the rehearsal host through SSM as part of `pulumi up`. The local command only
 * sends and watches; a failing stage fails the update, which is how a failed sanitize proof stops
 * everything after it.
 */
export class HostStep extends pulumi.ComponentResource {
  readonly output: pulumi.Output<string>;

  constructor(name: string, args: HostStepArgs, opts?: pulumi.ComponentResourceOptions) {
    super('rehearsal:ssm:HostStep', name, {}, opts);
    const run = new command.local.Command(
      name,
      {
        create: 'node --import tsx infra/ssm/run-on-host.ts',
        dir: args.projectDir,
        environment: pulumi.output(args.instanceId).apply((instanceId) => ({
          AWS_REGION: args.region,
          [HOST_STEP_ENV.instanceId]: instanceId,
          [HOST_STEP_ENV.step]: args.step,
          [HOST_STEP_ENV.script]: JSON.stringify(args.script),
          [HOST_STEP_ENV.timeoutSeconds]: String(args.timeoutSeconds),
        })),
        triggers: args.triggers,
      },
      { parent: this },
    );
    this.output = run.stdout;
    this.registerOutputs({ output: this.output });
  }
}
