import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadEgressCatalogue } from '../../src/egress/catalogue.js';
import { readEgressCounters } from '../../src/sandbox/nftables.js';
import { probeTableMarkdown, proveIsolation } from '../../src/sandbox/probes.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import { readLedger } from '../../src/sinkholes/ledger.js';
import { sampleEgress, samplePlatformHosts, uniqueRunId } from './fixtures/test-plan.js';

t.test('a normal sandbox proves its isolation and no packet leaves it', async (t) => {
  const runDir = mkdtempSync(join(tmpdir(), 'rehearsal-isolation-'));
  t.teardown(() => rmSync(runDir, { recursive: true, force: true }));
  const catalogue = loadEgressCatalogue();
  const sandbox = await startSandbox({ runId: uniqueRunId('iso'), runDir, catalogue, egress: sampleEgress, platformHosts: samplePlatformHosts });
  t.teardown(() => sandbox.stop());
  t.ok(sandbox.startMs < 5000, `sandbox started in ${sandbox.startMs} ms`);

  const proof = await proveIsolation({
    namespace: sandbox.namespace.name,
    nonce: sandbox.nonce,
    localRanges: sandbox.hostMap.localRanges,
    catalogue,
    egress: sampleEgress,
    platformHosts: samplePlatformHosts,
  });
  t.ok(proof.ms < 10_000, `${proof.results.length} probes in ${proof.ms} ms`);
  t.equal(proof.counts.leak, 0);
  const outcome = (protocol: string, host: string, port: number): string | undefined =>
    proof.results.find((r) => r.protocol === protocol && r.host === host && r.port === port)?.outcome;
  t.equal(outcome('tcp', 'api.stripe.com', 443), 'sinkhole', 'a gateway name lands in the sinkhole');
  t.equal(outcome('tcp', 'mail.northwind-telecom.example', 587), 'sinkhole', 'the mail server lands in the sinkhole');
  t.equal(outcome('tcp', 'mail.northwind-telecom.example', 465), 'sinkhole', 'implicit TLS SMTP too');
  t.equal(outcome('udp', '192.0.2.10', 1812), 'sinkhole', 'a switch address lands in the UDP sinkhole');
  t.equal(outcome('tcp', '203.0.113.5', 443), 'unreachable', 'an arbitrary internet address is unreachable');
  t.equal(outcome('udp', '192.0.2.1', 161), 'unreachable');
  t.match(probeTableMarkdown(proof.results), /\| sinkhole \| tcp \| api\.stripe\.com \| 443 \| 127\.77\./);

  t.same(readLedger(sandbox.ledgerPath), [], 'probes are not counted as platform attempts');
  const counters = await readEgressCounters(sandbox.namespace.name);
  t.equal(counters.policyInstalled, true);
  t.equal(counters.leftPackets, 0, 'nothing passed the egress policy');
  t.equal(counters.interfaceTxPackets, 0, 'no packet left by any interface but loopback');
  t.equal(proof.packetsLeftDuringProbes, 0);
});
