/**
 * Boot script of the rehearsal host: install Node.js 22 and nftables from the Amazon Linux mirror
 * (through the S3 gateway endpoint), fetch and unpack the bundle and the host plan, start the
 * sinkholes as a service. Everything after boot arrives through SSM Run Command, and each host
 * step fetches the bundle and plan again when they changed.
 */
import { HOST_NODE, bundleSyncLines, type HostBundle } from '../ssm/host-script.js';
import { shellWord } from '../shell.js';

export function rehearsalHostUserData(bundle: HostBundle): string {
  const install = shellWord(bundle.installDir);
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    'dnf install -y nodejs22 nftables tar gzip',
    ...bundleSyncLines(bundle),
    'cat > /etc/systemd/system/rehearsal-sinkholes.service <<UNIT',
    '[Unit]',
    'Description=Rehearsal sinkholes (SMTP, payment gateway and switch capture)',
    '[Service]',
    `WorkingDirectory=${install}`,
    `ExecStart=${HOST_NODE} --import tsx scripts/rehearse.ts up --foreground ${shellWord(bundle.planFile)}`,
    'Restart=on-failure',
    '[Install]',
    'WantedBy=multi-user.target',
    'UNIT',
    'systemctl daemon-reload',
    'systemctl enable --now rehearsal-sinkholes.service',
    `touch ${install}/.ready`,
    '',
  ].join('\n');
}
