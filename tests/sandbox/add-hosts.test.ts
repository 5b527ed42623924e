import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadEgressCatalogue } from '../../src/egress/catalogue.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import { readLedger } from '../../src/sinkholes/ledger.js';
import { runInNamespace } from './fixtures/in-namespace.js';
import { sampleEgress, uniqueRunId } from './fixtures/test-plan.js';
import { SAMPLE_ADAPTER } from '../helpers/sample-profile.js';

t.test('hosts learned after start (from the restored settings) land in the sinkholes too', async (t) => {
  const runDir = mkdtempSync(join(tmpdir(), 'rehearsal-addhosts-'));
  t.teardown(() => rmSync(runDir, { recursive: true, force: true }));
  const sandbox = await startSandbox({ runId: uniqueRunId('add'), runDir, catalogue: loadEgressCatalogue(), egress: sampleEgress, platformHosts: [], attribution: SAMPLE_ADAPTER.outbound });
  t.teardown(() => sandbox.stop());
  const stripeBefore = sandbox.hostMap.addresses['api.stripe.com'];
  const url = 'https://pay.acme-gateway.example/v2/charge';
  const env = { NODE_EXTRA_CA_CERTS: sandbox.caCertPath ?? '' };

  const before = JSON.parse(await runInNamespace(sandbox.namespace.name, new URL('./fixtures/https-post.ts', import.meta.url), [url], env)) as { error?: string };
  t.match(before.error, /ENOTFOUND|EAI_AGAIN/, 'an unknown name does not resolve at all');

  await sandbox.addHosts([url]);
  t.equal(sandbox.hostMap.addresses['api.stripe.com'], stripeBefore, 'names already mapped keep their address');
  const after = JSON.parse(await runInNamespace(sandbox.namespace.name, new URL('./fixtures/https-post.ts', import.meta.url), [url], env)) as { approved?: boolean };
  t.equal(after.approved, true, 'the new name resolves to the gateway sinkhole, whose certificate now covers it');
  const payment = readLedger(sandbox.ledgerPath).find((e) => e.kind === 'payment');
  t.match(payment, { destination: { host: 'pay.acme-gateway.example', address: sandbox.hostMap.addresses['pay.acme-gateway.example'] }, account: '100099' });
});
