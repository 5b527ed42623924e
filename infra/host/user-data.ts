/**
 * Boot script of the rehearsal host: fetch the bundle through the S3 gateway endpoint, install
 * Node.js from the Amazon Linux mirror (also S3), start the sinkholes as a service. Everything
 * after boot arrives through SSM Run Command.
 */
/** Amazon Linux 2023 installs Node.js 20 under a versioned name. */
export const HOST_NODE = '/usr/bin/node-20';

export interface RehearsalHostBoot {
  readonly bucketName: string;
  readonly bundleKey: string;
  /** Where the bundle is unpacked; the host steps run from here. */
  readonly installDir: string;
  /** Plan file path inside the bundle. */
  readonly planFile: string;
}

export function rehearsalHostUserData(boot: RehearsalHostBoot): string {
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    'dnf install -y nodejs20 tar gzip',
    `mkdir -p ${boot.installDir}`,
    `aws s3 cp s3://${boot.bucketName}/${boot.bundleKey} /tmp/rehearsal-bundle.tgz`,
    `tar -xzf /tmp/rehearsal-bundle.tgz -C ${boot.installDir}`,
    'cat > /etc/systemd/system/rehearsal-sinkholes.service <<UNIT',
    '[Unit]',
    'Description=Rehearsal sinkholes (SMTP, payment gateway and switch capture)',
    '[Service]',
    `WorkingDirectory=${boot.installDir}`,
    `ExecStart=${HOST_NODE} --import tsx scripts/rehearse.ts up --foreground ${boot.planFile}`,
    'Restart=on-failure',
    '[Install]',
    'WantedBy=multi-user.target',
    'UNIT',
    'systemctl daemon-reload',
    'systemctl enable --now rehearsal-sinkholes.service',
    `touch ${boot.installDir}/.ready`,
    '',
  ].join('\n');
}
