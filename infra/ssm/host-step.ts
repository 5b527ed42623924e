import * as command from '@pulumi/command';
import * as pulumi from '@pulumi/pulumi';
import { HOST_STEP_ENV } from './run-on-host.js';

export interface HostStepArgs {
  readonly instanceId: pulumi.Input<string>;
  readonly region: string;
  /** Stage name for messages and the SSM comment. */
  readonly step: string;
  readonly script: pulumi.Input<string[]>;
  readonly timeoutSeconds: number;
  /** Transfer bucket and prefix SSM writes the step's full output to. */
  readonly outputBucket: pulumi.Input<string>;
  readonly outputPrefix: string;
  /** Any change replaces the step, i.e. runs it again (new snapshot, new database instance, new plan). */
  readonly triggers: pulumi.Input<unknown>[];
}

/**
 * One stage run on the rehearsal host through SSM as part of `pulumi up`. The local command only
 * sends and watches; a failing stage fails the update, which is how a failed sanitize proof stops
 * everything after it. The command runs in the provider's working directory, the project root
 * Pulumi runs from: no absolute path of one checkout is stored in the state, so the same stack
 * driven from another checkout does not see a changed step and run it again.
 */
export class HostStep extends pulumi.ComponentResource {
  readonly output: pulumi.Output<string>;

  constructor(name: string, args: HostStepArgs, opts?: pulumi.ComponentResourceOptions) {
    super('rehearsal:ssm:HostStep', name, {}, opts);
    const run = new command.local.Command(
      name,
      {
        create: 'node --import tsx infra/ssm/run-on-host.ts',
        environment: pulumi.all([args.instanceId, args.script, args.outputBucket]).apply(([instanceId, script, outputBucket]) => ({
          AWS_REGION: args.region,
          [HOST_STEP_ENV.instanceId]: instanceId,
          [HOST_STEP_ENV.step]: args.step,
          [HOST_STEP_ENV.script]: JSON.stringify(script),
          [HOST_STEP_ENV.timeoutSeconds]: String(args.timeoutSeconds),
          [HOST_STEP_ENV.outputBucket]: outputBucket,
          [HOST_STEP_ENV.outputPrefix]: args.outputPrefix,
        })),
        triggers: args.triggers,
      },
      { parent: this },
    );
    this.output = run.stdout;
    this.registerOutputs({ output: this.output });
  }
}
