import { hostsInSettings } from '../sandbox/hosts.js';
import { proveIsolation, type IsolationProof } from '../sandbox/probes.js';
import { loadEgressCatalogue } from '../egress/catalogue.js';
import { Profile } from '../platform/profile.js';
import { connectionStringHosts } from '../sanitize/hosts-in-text.js';
import type { RunContext } from '../pipeline/context.js';

/**
 * Right before the bill run: every host the sanitized settings name (URLs, host lists, servers in
 * connection strings) is sinkholed too, then every catalogue destination and documentation-range
 * address is probed from inside the sandbox.
 * Anything reachable that is not our sinkhole stops the run (exit 1), naming the destination.
 */
export async function prove(ctx: RunContext): Promise<string> {
  const { sandbox, engine } = ctx;
  if (sandbox === undefined || engine === undefined) throw new Error('prove needs the sandbox and the restored database');
  const profile = new Profile(ctx.plan.platform.adapter);
  // Without the concept only the catalogue and the plan's hosts are sinkholed and probed.
  const settings = profile.has('outboundHostSettings') ? await profile.query(engine, 'outboundHostSettings', {}) : [];
  const values = settings.flatMap((r) => (r.value === null ? [] : [r.value]));
  // The rehearsal's own database server is reached through the sandbox's link, never a sinkhole.
  const databaseServer = ctx.plan.database.server?.toLowerCase();
  const connectionHosts = values.flatMap(connectionStringHosts).filter((host) => host !== databaseServer);
  const platformHosts = [...new Set([...hostsInSettings(values), ...connectionHosts])];
  await sandbox.addHosts(platformHosts);
  let proof: IsolationProof;
  try {
    proof = await proveIsolation({
      namespace: sandbox.namespace.name,
      nonce: sandbox.nonce,
      localRanges: sandbox.hostMap.localRanges,
      catalogue: loadEgressCatalogue(),
      egress: ctx.plan.egress,
      platformHosts,
    });
  } catch (error) {
    const failed = (error as { proof?: IsolationProof }).proof;
    if (failed !== undefined) {
      ctx.isolationProof = failed;
      ctx.checks.push(isolationCheck(failed));
    }
    throw error;
  }
  ctx.isolationProof = proof;
  ctx.checks.push(isolationCheck(proof));
  ctx.run.state.isolationProven = true;
  ctx.run.save();
  return `${proof.results.length} probes: ${proof.counts.sinkhole} sinkholed, ${proof.counts.unreachable} unreachable, ${proof.counts.leak} leaked`;
}

function isolationCheck(proof: IsolationProof): RunContext['checks'][number] {
  const leaks = proof.results.filter((r) => r.outcome === 'leak');
  const failed = leaks.length > 0 || proof.packetsLeftDuringProbes > 0 || !proof.counters.policyInstalled;
  return {
    id: 'isolation',
    title: 'Nothing in the sandbox can reach a payment gateway, mail server or switch',
    status: failed ? 'failed' : 'passed',
    summary: failed
      ? `${leaks.length} probe(s) reached something other than a sinkhole${leaks.length > 0 ? `: ${leaks.slice(0, 5).map((l) => `${l.protocol}/${l.host}:${l.port}`).join(', ')}` : ''}; ${proof.packetsLeftDuringProbes} packet(s) left the sandbox`
      : `${proof.results.length} probes from inside the sandbox: ${proof.counts.sinkhole} landed in sinkholes, ${proof.counts.unreachable} unreachable, none leaked; 0 packets left by a non-loopback interface`,
    evidence: leaks.map((l) => ({ protocol: l.protocol, destination: l.host, port: l.port, detail: l.detail })),
  };
}
