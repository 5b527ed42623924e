/**
 * Pulumi entry point (Pulumi.yaml `main`). The stack's `rehearsal:target` picks the program:
 * `aws` builds the isolated VPC environment, `local` wraps the local sandbox scripts.
 */
import { fileURLToPath } from 'node:url';
import { loadEgressCatalogue } from '../src/egress/catalogue.js';
import { createAwsEnvironment } from './aws-environment.js';
import { createLocalEnvironment } from './local-environment.js';
import { readStackSettings } from './stack-config.js';

const PROJECT_DIR = fileURLToPath(new URL('..', import.meta.url));

export default async function rehearsalStack(): Promise<object> {
  const settings = readStackSettings(PROJECT_DIR);
  return settings.target === 'local' ? createLocalEnvironment(settings) : createAwsEnvironment(settings, loadEgressCatalogue());
}
