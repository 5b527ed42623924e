import { shellWord } from '../shell.js';

/** Amazon Linux 2023 installs Node.js 22 under a versioned name (Node.js 20 reaches end of life in April 2026). */
export const HOST_NODE = '/usr/bin/node-22';

/** Where the host finds what `pulumi up` put in the transfer bucket. */
export interface HostBundle {
  readonly bucketName: string;
  readonly bundleKey: string;
  readonly hostPlanKey: string;
  readonly installDir: string;
  /** Plan path inside the bundle, relative to the install directory. */
  readonly planFile: string;
}

const SINKHOLE_SERVICE = 'rehearsal-sinkholes.service';

/**
 * Fetches the bundle and the host plan and unpacks them again whenever either changed since the
 * last unpack, at boot and before every host step: a plan fixed after the first `pulumi up` is
 * the plan the next step runs. The run folders (`reports/`) move over to the new copy; the
 * sinkholes restart on the new plan.
 */
export function bundleSyncLines(bundle: HostBundle): string[] {
  const install = shellWord(bundle.installDir);
  const next = shellWord(`${bundle.installDir}.next`);
  const staging = shellWord(`${bundle.installDir}.download`);
  const tarball = `${staging}/bundle.tgz`;
  const plan = `${staging}/host-plan.yaml`;
  return [
    `mkdir -p ${staging}`,
    `aws s3 cp --only-show-errors ${shellWord(`s3://${bundle.bucketName}/${bundle.bundleKey}`)} ${tarball}`,
    `aws s3 cp --only-show-errors ${shellWord(`s3://${bundle.bucketName}/${bundle.hostPlanKey}`)} ${plan}`,
    `digest="$(cat ${tarball} ${plan} | sha256sum | cut -d' ' -f1)"`,
    `if [ "$(cat ${install}/.bundle-digest 2>/dev/null || true)" != "$digest" ]; then`,
    `  rm -rf ${next} && mkdir -p ${next}`,
    `  tar -xzf ${tarball} -C ${next}`,
    `  install -D -m 0644 ${plan} ${next}/${shellWord(bundle.planFile)}`,
    `  if [ -d ${install}/reports ]; then mv ${install}/reports ${next}/reports; fi`,
    `  echo "$digest" > ${next}/.bundle-digest`,
    `  rm -rf ${install} && mv ${next} ${install}`,
    `  if systemctl is-enabled --quiet ${SINKHOLE_SERVICE}; then systemctl restart ${SINKHOLE_SERVICE}; fi`,
    'fi',
  ];
}

export interface HostStageScriptInput {
  readonly bundle: HostBundle;
  /** A stage of `scripts/rehearse.ts`: prove, restore, sanitize. */
  readonly stage: string;
  /** SSM SecureString holding the connection string; read on the host so it never leaves the VPC. */
  readonly connectionParameterName: string;
  /** Variable the plan names in `database.connectionStringEnv`. */
  readonly connectionStringEnv: string;
  /** Non-secret settings the stage needs (e.g. the .bak ARN). */
  readonly environment: Readonly<Record<string, string>>;
}

function connectionLines(input: { connectionParameterName: string; connectionStringEnv: string }): string[] {
  return [
    `${input.connectionStringEnv}="$(aws ssm get-parameter --with-decryption --name ${shellWord(input.connectionParameterName)} --query Parameter.Value --output text)"`,
    `export ${input.connectionStringEnv}`,
  ];
}

function stage(name: string, planFile: string): string {
  return `${HOST_NODE} --import tsx scripts/rehearse.ts ${shellWord(name)} ${shellWord(planFile)}`;
}

/** The shell lines SSM runs on the rehearsal host for one stage. */
export function hostStageScript(input: HostStageScriptInput): string[] {
  return [
    'set -euo pipefail',
    // The first step may arrive while the boot script is still unpacking the bundle.
    'cloud-init status --wait > /dev/null',
    ...bundleSyncLines(input.bundle),
    `cd ${shellWord(input.bundle.installDir)}`,
    ...connectionLines(input),
    ...Object.keys(input.environment)
      .sort()
      .map((key) => `export ${key}=${shellWord(input.environment[key] ?? '')}`),
    stage(input.stage, input.bundle.planFile),
  ];
}

export interface HostBillRunScriptInput {
  readonly bundle: HostBundle;
  readonly connectionParameterName: string;
  readonly connectionStringEnv: string;
  /** `s3://bucket/prefix/` the report folder is copied to. */
  readonly reportsUri: string;
}

/**
 * Bill run, verify and report on the host, then the report copied to the transfer bucket. A
 * NO-GO (a failing bill run or verify) still writes and uploads the report; the script's exit
 * status is the first failure's, so the workflow step fails after the report is out.
 */
export function hostBillRunScript(input: HostBillRunScriptInput): string[] {
  return [
    'set -uo pipefail',
    `cd ${shellWord(input.bundle.installDir)} || exit 1`,
    ...connectionLines(input).map((line, index) => (index === 0 ? `${line} || exit 1` : line)),
    'status=0',
    `${stage('bill-run', input.bundle.planFile)} || status=$?`,
    `if [ "$status" -eq 0 ]; then ${stage('verify', input.bundle.planFile)} || status=$?; fi`,
    `${stage('report', input.bundle.planFile)} || { code=$?; [ "$status" -ne 0 ] || status=$code; }`,
    `aws s3 cp --recursive --only-show-errors "$(readlink -f reports/latest)" ${shellWord(input.reportsUri)} --exclude 'work/*' || { code=$?; [ "$status" -ne 0 ] || status=$code; }`,
    'exit "$status"',
  ];
}
