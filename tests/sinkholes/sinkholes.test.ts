import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadEgressCatalogue } from '../../src/egress/catalogue.js';
import { startSandbox } from '../../src/sandbox/sandbox.js';
import { readLedger, summarizeLedger, type LedgerEntry } from '../../src/sinkholes/ledger.js';
import { runInNamespace } from '../sandbox/fixtures/in-namespace.js';
import { sampleEgress, samplePlatformHosts, uniqueRunId } from '../sandbox/fixtures/test-plan.js';
import { eventually } from '../helpers/wait-for.js';
import { SAMPLE_ADAPTER } from '../helpers/sample-profile.js';

t.test('the sinkholes record what a platform sends from inside the sandbox', async (t) => {
  const runDir = mkdtempSync(join(tmpdir(), 'rehearsal-sinkholes-'));
  t.teardown(() => rmSync(runDir, { recursive: true, force: true }));
  const sandbox = await startSandbox({
    runId: uniqueRunId('sink'),
    runDir,
    catalogue: loadEgressCatalogue(),
    egress: sampleEgress,
    platformHosts: samplePlatformHosts,
    // The sample's adapter says how its messages name an account; without patterns nothing is attributed.
    attribution: SAMPLE_ADAPTER.outbound,
  });
  t.teardown(() => sandbox.stop());
  t.ok(sandbox.caCertPath, 'a per-run CA was made');

  const out = await runInNamespace(sandbox.namespace.name, new URL('./fixtures/platform-client.ts', import.meta.url), [], {
    NODE_EXTRA_CA_CERTS: sandbox.caCertPath ?? '',
  });
  const answers = JSON.parse(out) as { approved: { approved: boolean; transaction_id: string }; declined: { approved: boolean }; untrusted: string };
  t.equal(answers.approved.approved, true, 'the gateway sinkhole approves a normal charge');
  t.match(answers.approved.transaction_id, /^rh_/);
  t.equal(answers.declined.approved, false, 'and declines the card the decline rule names');
  t.not(answers.untrusted, 'trusted', 'a client without our CA is not fooled into trusting the sinkhole');

  // The sinkholes record the UDP datagram and the TCP close a hair after the client exits.
  let entries = readLedger(sandbox.ledgerPath);
  const of = <K extends LedgerEntry['kind']>(kind: K) => entries.filter((e): e is Extract<LedgerEntry, { kind: K }> => e.kind === kind);
  await eventually(() => {
    entries = readLedger(sandbox.ledgerPath);
    return of('provisioning').length >= 2 && of('payment').length >= 2 && of('mail').length >= 1;
  });

  const [mail] = of('mail');
  t.match(mail, {
    destination: { host: 'mail.northwind-telecom.example', port: 25 },
    from: 'billing@northwind-telecom.example',
    to: ['ada@customer.example'],
    subject: 'Your invoice INV-2026-11-01-100042',
    account: '100042',
  });
  t.ok((mail?.sizeBytes ?? 0) > 100, 'message size recorded');

  const payments = of('payment');
  t.equal(payments.length, 2);
  t.match(payments[0], {
    destination: { host: 'api.stripe.com', port: 443 },
    method: 'POST',
    path: '/v1/charges',
    amountCents: 4200,
    currency: 'USD',
    invoice: 'INV-2026-11-01-100042',
    account: '100042',
    last4: '4242',
    approved: true,
  });
  t.match(payments[1], { last4: '0002', approved: false, account: '100043' });

  const tlsNames = of('tls').map((e) => e.serverName);
  t.ok(tlsNames.includes('api.stripe.com'), 'SNI of the trusting client recorded');
  t.ok(tlsNames.includes('api-3t.paypal.com'), 'SNI of a client that does not trust the CA recorded too');

  const provisioning = of('provisioning');
  t.match(provisioning.find((e) => e.destination.protocol === 'tcp'), {
    destination: { host: '192.0.2.10', port: 2208 },
    service: 'BroadWorks OCI-P',
    account: '100042',
    firstBytes: { text: 'PROVISION account=100042 package=GOLD action=activate.' },
  });
  t.match(provisioning.find((e) => e.destination.protocol === 'udp'), {
    destination: { port: 1812 },
    service: 'RADIUS',
    account: '100077',
    firstBytes: { hex: /^01070014/ },
  });

  const raw = readFileSync(sandbox.ledgerPath, 'utf8');
  t.notOk(raw.includes('4242424242424242'), 'no full card number in the ledger');
  t.notOk(raw.includes('tok_visa_secret'), 'no card token in the ledger');

  const summary = summarizeLedger(entries);
  t.match(summary.byKind, { mail: 1, payment: 2, provisioning: 2 });
  t.ok(summary.byDestination.some((d) => d.kind === 'payment' && d.destination === 'api.stripe.com:443' && d.count === 2));
  t.equal(summary.byAccount['100042'], 3, 'the mail, the charge and the provisioning line of account 100042');
});
