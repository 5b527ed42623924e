import type * as pulumi from '@pulumi/pulumi';
import { LocalStage } from './local-stage.js';
import type { LocalStackSettings } from './settings.js';

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
  const stage = (name: string): string[] => ['node', '--import', 'tsx', 'scripts/rehearse.ts', name, settings.planPath];
  const common = { dir: settings.projectDir, triggers: [settings.planDigest] };

  const sandbox = new LocalStage('sandbox', { ...common, create: stage('up'), delete: stage('down') });
  // Each stage depends on the one before, in the order `rehearse all` runs them: the proof comes last
  // because it also sinkholes the hosts named in the sanitized copy's settings.
  const restore = new LocalStage('restore', { ...common, create: stage('restore') }, { dependsOn: [sandbox] });
  const sanitize = new LocalStage('sanitize', { ...common, create: stage('sanitize') }, { dependsOn: [restore] });
  new LocalStage('isolation-proof', { ...common, create: stage('prove') }, { dependsOn: [sanitize] });

  return { target: 'local', releaseCandidate: settings.releaseCandidate, planPath: settings.planPath, sanitizeOutput: sanitize.stdout };
}
