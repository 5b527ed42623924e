import t from 'tap';
import { checkProvisioning } from '../../src/checks/provisioning.js';
import type { LedgerEntry } from '../../src/sinkholes/ledger.js';
import { checkedAttempts } from '../../src/sinkholes/checked-attempts.js';

function provisioned(account: string): LedgerEntry {
  return {
    kind: 'provisioning',
    time: '2026-11-01T00:00:01.000Z',
    destination: { host: '192.0.2.10', address: '192.0.2.10', port: 2208, protocol: 'tcp' },
    peer: { address: '10.200.0.2', port: 40000 },
    account,
    service: 'BroadWorks OCI-P',
    firstBytes: { length: 4, hex: '61626364', text: 'abcd' },
  };
}

t.test('expected provisioning declared in the plan is checked against the ledger', async (t) => {
  const ledger = checkedAttempts([provisioned('ACC-000001'), provisioned('ACC-000004')]);
  const ok = checkProvisioning(['ACC-000001', 'ACC-000004'], ledger, true, 'declared in the plan');
  t.equal(ok.status, 'passed');
  t.match(ok.summary, /declared in the plan/);
  const missing = checkProvisioning(['ACC-000001', 'ACC-000004', 'ACC-000007'], ledger, true, 'declared in the plan');
  t.equal(missing.status, 'failed');
  t.same(missing.affectedAccounts, ['ACC-000007']);
  const extra = checkProvisioning(['ACC-000001'], ledger, true);
  t.equal(extra.status, 'failed', 'an account provisioned without being expected fails');
  t.same(extra.affectedAccounts, ['ACC-000004']);
  t.equal(checkProvisioning([], ledger, false).status, 'failed', 'provisioning switched off, yet switches were reached');
  t.equal(checkProvisioning([], checkedAttempts([]), false).status, 'skipped');
});
