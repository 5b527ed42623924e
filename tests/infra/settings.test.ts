import t from 'tap';
import { checkIsolation } from '../../infra/settings.js';
import { cidrsOverlap, subnetCidr } from '../../infra/cidr.js';
import { awsSettings, testCatalogue } from './fixtures.js';

const egress = awsSettings().egress;

t.test('CIDR overlap', async (t) => {
  t.ok(cidrsOverlap('10.0.0.0/8', '10.213.4.0/24'));
  t.ok(cidrsOverlap('0.0.0.0/0', '198.51.100.0/24'));
  t.notOk(cidrsOverlap('10.213.0.0/16', '10.214.0.0/16'));
  t.ok(cidrsOverlap('not-a-cidr', '10.0.0.0/8'), 'unparsable input counts as overlapping');
  t.equal(subnetCidr('10.213.0.0/16', 20, 3), '10.213.48.0/20');
  t.throws(() => subnetCidr('10.213.0.0/16', 20, 16), /no room/);
});

t.test('a VPC overlapping a switch network is refused', async (t) => {
  t.throws(() => checkIsolation(awsSettings({ vpcCidr: '198.51.0.0/16' }), testCatalogue), /overlaps the switch network 198\.51\.100\.0\/24/);
});

t.test('malformed CIDRs are refused', async (t) => {
  t.throws(() => checkIsolation(awsSettings({ vpcCidr: '10.213.0.0' }), testCatalogue), /rehearsal:vpcCidr/);
  t.throws(() => checkIsolation(awsSettings({ vpcCidr: '10.213.0.0/27' }), testCatalogue), /from \/16 to \/24/);
  t.throws(() => checkIsolation(awsSettings({ egress: { ...egress, switchCidrs: ['switches'] } }), testCatalogue), /switchCidrs/);
});

t.test('allowlist and policy must agree', async (t) => {
  t.throws(() => checkIsolation(awsSettings({ egress: { ...egress, allowlist: ['a.example'] } }), testCatalogue), /policy is deny-all/);
  t.throws(() => checkIsolation(awsSettings({ egress: { ...egress, policy: 'allowlist' } }), testCatalogue), /allowlist` is empty/);
  t.throws(() => checkIsolation(awsSettings({ egress: { ...egress, policy: 'allowlist', allowlist: ['*.billing.example'] } }), testCatalogue), /smtp\.billing\.example/, 'mail servers are protected too');
  t.doesNotThrow(() => checkIsolation(awsSettings({ egress: { ...egress, policy: 'allowlist', allowlist: ['vendor.example'] } }), testCatalogue));
});
