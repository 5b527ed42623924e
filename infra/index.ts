/**
 * Pulumi entry point (Pulumi.yaml `main`). The stack's `rehearsal:target` picks the program:
 * `aws` builds the isolated VPC environment, `local` wraps the local sandbox scripts.
 */
import { fileURLToPath } from 'node:url';
import * as pulumi from '@pulumi/pulumi';
import { UserError } from '../src/errors.js';
import { createLocalEnvironment } from './local-environment.js';
import { readStackSettings } from './stack-config.js';

const PROJECT_DIR = fileURLToPath(new URL('..', import.meta.url));

async function environment(): Promise<object> {
  const settings = readStackSettings(PROJECT_DIR);
  if (settings.target === 'local') return createLocalEnvironment(settings);
  // Loaded only for the AWS target: @pulumi/aws takes seconds to load, and every engine run of the local stack would pay them.
  const [{ createAwsEnvironment }, { loadEgressCatalogue }] = await Promise.all([import('./aws-environment.js'), import('../src/egress/catalogue.js')]);
  return createAwsEnvironment(settings, loadEgressCatalogue());
}

export default async function rehearsalStack(): Promise<object> {
  try {
    return await environment();
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    // A RunError is shown as its message alone: a user's mistake gets no stack trace. The runtime still
    // formats the error's stack for its trace events, which with source maps takes tens of seconds, so
    // the stack is the message.
    const runError = new pulumi.RunError(error.message);
    runError.stack = error.message;
    throw runError;
  }
}
