import t from 'tap';
import { naclRules, portRanges } from '../../infra/network/nacl-rules.js';
import { UserError } from '../../src/errors.js';

const input = {
  vpcCidr: '10.213.0.0/16',
  smtpPorts: [25, 465, 587],
  switchCidrs: ['198.51.100.0/24'],
  switchPorts: [
    { protocol: 'udp' as const, port: 1812 },
    { protocol: 'udp' as const, port: 1813 },
    { protocol: 'tcp' as const, port: 2208 },
  ],
  ruleLimit: 20,
};

t.test('adjacent ports share one rule', async (t) => {
  t.same(portRanges([1813, 25, 1812, 26, 25]), [{ from: 25, to: 26 }, { from: 1812, to: 1813 }]);
});

t.test('intra-VPC traffic is allowed before the denies, everything else after them', async (t) => {
  const rules = naclRules(input);
  const egress = rules.filter((r) => r.egress).sort((a, b) => a.ruleNumber - b.ruleNumber);
  t.match(egress[0], { action: 'allow', cidrBlock: '10.213.0.0/16' }, 'sinkholes inside the VPC stay reachable');
  t.match(egress.at(-1), { action: 'allow', cidrBlock: '0.0.0.0/0', ruleNumber: 32000 });
  const denies = egress.filter((r) => r.action === 'deny').map((r) => `${r.protocol} ${r.cidrBlock} ${r.fromPort}-${r.toPort}`);
  t.same(denies, ['-1 198.51.100.0/24 0-0', 'tcp 0.0.0.0/0 25-25', 'tcp 0.0.0.0/0 465-465', 'tcp 0.0.0.0/0 587-587', 'tcp 0.0.0.0/0 2208-2208', 'udp 0.0.0.0/0 1812-1813']);
  t.match(rules.filter((r) => !r.egress && r.action === 'deny'), [{ cidrBlock: '198.51.100.0/24', protocol: '-1' }], 'switch networks cannot reach in either');
  t.equal(new Set(rules.map((r) => `${r.egress}-${r.ruleNumber}`)).size, rules.length, 'rule numbers are unique per direction');
});

t.test('more rules than the quota is refused with the way out', async (t) => {
  t.throws(() => naclRules({ ...input, ruleLimit: 7 }), UserError);
  t.throws(() => naclRules({ ...input, ruleLimit: 7 }), /needs 8 network ACL rules.*limit is 7.*rehearsal:naclRuleLimit/);
});
