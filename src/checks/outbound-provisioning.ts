import { DifferenceLog } from './outbound-differences.js';
import { fieldsKey, pairedInOrder, type OutboundRecord, type ProvisioningSent } from './outbound-record.js';
import type { CheckResult } from './types.js';

/**
 * Provisioning, per account: the same requests as production sent (package, action, every other
 * field of the request) to the same switches (by their place in each side's list of switches).
 */
export function checkOutboundProvisioning(rehearsal: OutboundRecord, production: OutboundRecord, provisioningEnabled: boolean): CheckResult {
  const base = { id: 'outbound-provisioning', title: 'Every account was provisioned as production provisioned it: same packages, actions and switches' };
  const rehearsalCount = rehearsal.provisioningCount + rehearsal.unattributedProvisioning;
  const productionCount = production.provisioningCount + production.unattributedProvisioning;
  if (!provisioningEnabled) {
    return rehearsalCount === 0
      ? { ...base, status: 'skipped', summary: 'provisioning is off in the plan, and nothing reached a switch' }
      : { ...base, status: 'failed', summary: `provisioning is off in the plan, yet ${rehearsalCount} request(s) reached a switch sinkhole` };
  }
  if (production.source === 'database') {
    return { ...base, status: 'skipped', summary: "production's result names no ledger, and a database does not record the requests it sent: switch traffic is compared only with the pending package changes (check `provisioning`)" };
  }
  const log = new DifferenceLog();
  const shared = production.keys === rehearsal.keys;
  for (const [account, [productionId], [rehearsalId]] of pairedInOrder(production, rehearsal, (k) => k.accounts, (x) => x.provisionedAccountIds(), (_, id) => [id])) {
    if (shared && rehearsal.sameRequestsAs(production, rehearsalId as number)) continue;
    const p = production.provisioningOfId(productionId as number);
    const r = rehearsal.provisioningOfId(rehearsalId as number);
    const { missing, extra } = unmatched(p, r);
    if (missing.length === 0 && extra.length === 0) continue;
    const row = { production: missing.map(fieldsKey).join('; ') || '—', rehearsal: extra.map(fieldsKey).join('; ') || '—' };
    if (r.length === 0) log.add(account, 'not provisioned', row);
    else if (p.length === 0) log.add(account, 'provisioned, production did not', row);
    else if (extra.length === 0) log.add(account, 'requests not sent', row);
    else if (missing.length === 0) log.add(account, 'extra requests', row);
    else log.add(account, `${differingFields(missing, extra).join(', ') || 'requests'} differ`, row);
  }
  if (rehearsal.unattributedProvisioning !== production.unattributedProvisioning) {
    log.add(undefined, 'requests naming no account', { production: production.unattributedProvisioning, rehearsal: rehearsal.unattributedProvisioning });
  }
  return log.result(
    base,
    `${productionCount} request(s) for ${production.provisionedAccountCount} account(s) in production, the same in the rehearsal: packages, actions and switches match`,
    [{ side: 'production', requests: productionCount, accounts: production.provisionedAccountCount }, { side: 'rehearsal', requests: rehearsalCount, accounts: rehearsal.provisionedAccountCount }],
  );
}

/** Requests of production with no equal one in the rehearsal (`missing`), and the other way round (`extra`). */
function unmatched(production: readonly ProvisioningSent[], rehearsal: readonly ProvisioningSent[]): { missing: ProvisioningSent[]; extra: ProvisioningSent[] } {
  const left = [...rehearsal];
  const missing: ProvisioningSent[] = [];
  for (const request of production) {
    const key = fieldsKey(request);
    const at = left.findIndex((r) => fieldsKey(r) === key);
    if (at >= 0) left.splice(at, 1);
    else missing.push(request);
  }
  return { missing, extra: left };
}

/** Which parts (`switch`, `action`, `package`…) take other values among the requests that differ. */
function differingFields(missing: readonly ProvisioningSent[], extra: readonly ProvisioningSent[]): string[] {
  const values = (list: readonly ProvisioningSent[], name: string): string =>
    list.map((r) => (name === 'switch' ? r.target : (r.fields[name] ?? '—'))).sort().join('|');
  const names = new Set(['switch', ...[...missing, ...extra].flatMap((r) => Object.keys(r.fields))]);
  return [...names].filter((name) => values(missing, name) !== values(extra, name)).sort();
}
