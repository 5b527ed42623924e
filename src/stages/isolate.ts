import { createNamespace } from '../sandbox/namespace.js';
import { checkLoopbackOnly } from '../sandbox/isolation-check.js';
import { SafetyError } from '../errors.js';
import type { RunContext } from '../pipeline/context.js';

/** Makes the run's network namespace and proves it has no way out before anything bills. */
export async function isolate(ctx: RunContext): Promise<string> {
  const ns = await createNamespace(ctx.run.runId);
  ctx.namespace = ns;
  ctx.run.state.namespace = ns.name;
  ctx.run.save();
  const evidence = await checkLoopbackOnly(ns);
  ctx.checks.push({
    id: 'isolation',
    title: 'The bill run cannot reach any network outside its sandbox',
    status: evidence.proven ? 'passed' : 'failed',
    summary: evidence.summary,
    evidence: [{ namespace: ns.name, interfaces: evidence.interfaces.join(', '), routes: evidence.routes.length }],
  });
  if (!evidence.proven) {
    throw new SafetyError(`Isolation not proven: ${evidence.summary}. The bill run will not start; run \`rehearse down\` and try again.`);
  }
  ctx.run.state.isolationProven = true;
  ctx.run.save();
  return evidence.summary;
}
