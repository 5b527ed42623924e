import { DEFAULT_DECLINE, startSandbox } from '../sandbox/sandbox.js';
import { loadEgressCatalogue } from '../egress/catalogue.js';
import type { RunContext } from '../pipeline/context.js';
import { sandboxDatabaseFor } from '../billrun/platform-database.js';

/**
 * Builds the run's sandbox: its own network namespace (loopback only), default-deny egress,
 * every catalogue and plan host resolving to a sinkhole, and the sinkholes listening.
 */
export async function isolate(ctx: RunContext): Promise<string> {
  const { paymentSinkhole } = ctx.plan.egress;
  const sandbox = await startSandbox({
    runId: ctx.run.runId,
    runDir: ctx.run.dir,
    catalogue: loadEgressCatalogue(),
    egress: ctx.plan.egress,
    platformHosts: [],
    database: await sandboxDatabaseFor(ctx.plan),
    attribution: ctx.plan.platform.adapter.outbound,
    ...(paymentSinkhole !== undefined ? { decline: { last4: paymentSinkhole.declineLast4 ?? DEFAULT_DECLINE.last4, ...(paymentSinkhole.declineAboveCents !== undefined ? { aboveCents: paymentSinkhole.declineAboveCents } : {}) } } : {}),
  });
  ctx.sandbox = sandbox;
  ctx.run.state.namespace = sandbox.namespace.name;
  ctx.run.save();
  return `sandbox ${sandbox.namespace.name} up in ${sandbox.startMs} ms, ${Object.keys(sandbox.hostMap.addresses).length} hosts sinkholed`;
}
