import { HOST_NODE } from '../host/user-data.js';
import { shellWord } from '../shell.js';

export interface HostStageScriptInput {
  readonly installDir: string;
  readonly planFile: string;
  /** A stage of `scripts/rehearse.ts`: prove, restore, sanitize. */
  readonly stage: string;
  /** SSM SecureString holding the connection string; read on the host so it never leaves the VPC. */
  readonly connectionParameterName: string;
  /** Variable the plan names in `database.connectionStringEnv`. */
  readonly connectionStringEnv: string;
  /** Non-secret settings the stage needs (e.g. the .bak ARN). */
  readonly environment: Readonly<Record<string, string>>;
}

/** The shell lines SSM runs on the rehearsal host for one stage. */
export function hostStageScript(input: HostStageScriptInput): string[] {
  return [
    'set -euo pipefail',
    // The first step may arrive while the boot script is still unpacking the bundle.
    'cloud-init status --wait > /dev/null',
    `cd ${shellWord(input.installDir)}`,
    `export ${input.connectionStringEnv}="$(aws ssm get-parameter --with-decryption --name ${shellWord(input.connectionParameterName)} --query Parameter.Value --output text)"`,
    ...Object.keys(input.environment)
      .sort()
      .map((key) => `export ${key}=${shellWord(input.environment[key] ?? '')}`),
    `${HOST_NODE} --import tsx scripts/rehearse.ts ${shellWord(input.stage)} ${shellWord(input.planFile)}`,
  ];
}
