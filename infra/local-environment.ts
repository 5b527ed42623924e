import * as command from '@pulumi/command';
import type * as pulumi from '@pulumi/pulumi';
import type { LocalStackSettings } from './settings.js';
import { shellWord } from './shell.js';

export interface LocalEnvironmentOutputs {
  readonly target: 'local';
  readonly releaseCandidate: string;
  readonly planPath: string;
  readonly sanitizeOutput: pulumi.Output<string>;
}

/**
 * The `local` stack: the same life cycle as the AWS target (up builds, destroy removes) around
 * the local sandbox scripts, so `pulumi up -s local` and `pulumi destroy -s local` work on any
 * Linux machine with the Pulumi CLI.
 */
export function createLocalEnvironment(settings: LocalStackSettings): LocalEnvironmentOutputs {
  const stage = (name: string): string => `node --import tsx scripts/rehearse.ts ${name} ${shellWord(settings.planPath)}`;
  const common = { dir: settings.projectDir, triggers: [settings.planDigest] };

  const sandbox = new command.local.Command('sandbox', { ...common, create: stage('up'), delete: stage('down') });
  // Each stage depends on the one before: no restore without proven isolation, no bill run input without sanitize.
  const prove = new command.local.Command('isolation-proof', { ...common, create: stage('prove') }, { dependsOn: [sandbox] });
  const restore = new command.local.Command('restore', { ...common, create: stage('restore') }, { dependsOn: [prove] });
  const sanitize = new command.local.Command('sanitize', { ...common, create: stage('sanitize') }, { dependsOn: [restore] });

  return { target: 'local', releaseCandidate: settings.releaseCandidate, planPath: settings.planPath, sanitizeOutput: sanitize.stdout };
}
