import t from 'tap';
import { loadEgressCatalogue, gatewayHosts } from '../../src/egress/catalogue.js';
import { buildHostMap, hostsByAddress, hostsInSettings } from '../../src/sandbox/hosts.js';
import { planProbes } from '../../src/sandbox/probes.js';
import { sampleEgress, samplePlatformHosts } from './fixtures/test-plan.js';

const catalogue = loadEgressCatalogue();

t.test('hosts are found in setting values of every shape', async (t) => {
  t.same(
    hostsInSettings([
      'https://api.authorize.net/xml/v1/request.api',
      'mail.northwind-telecom.example',
      '25',
      'billing@northwind-telecom.example',
      '192.0.2.10:2208,192.0.2.11:5060',
      'sk_live_abc',
      '0.07',
      'USD',
    ]),
    ['api.authorize.net', 'mail.northwind-telecom.example', '192.0.2.10', '192.0.2.11'],
  );
});

t.test('every catalogue, plan and settings name gets its own sinkhole address', async (t) => {
  const map = buildHostMap(catalogue, sampleEgress, hostsInSettings(samplePlatformHosts));
  for (const host of [...gatewayHosts(catalogue), 'mail.northwind-telecom.example']) {
    t.match(map.addresses[host], /^127\.77\.\d+\.\d+$/, host);
  }
  const addresses = Object.values(map.addresses);
  t.equal(new Set(addresses).size, addresses.length, 'no two names share an address');
  t.equal(hostsByAddress(map)[map.addresses['api.stripe.com'] ?? ''], 'api.stripe.com');
  t.same([...map.localRanges].sort(), ['192.0.2.10/32', '192.0.2.11/32', '198.51.100.0/28'], 'IP literals and CIDRs become local');
});

t.test('the probe plan covers every destination and stays bounded', async (t) => {
  const probes = planProbes({ catalogue, egress: sampleEgress, platformHosts: samplePlatformHosts });
  const has = (protocol: string, host: string, port: number): boolean => probes.some((p) => p.protocol === protocol && p.host === host && p.port === port);
  for (const host of gatewayHosts(catalogue)) t.ok(has('tcp', host, 443), `gateway ${host}`);
  for (const port of catalogue.smtpPorts) t.ok(has('tcp', 'mail.northwind-telecom.example', port), `mail server on ${port}`);
  t.ok(has('tcp', '192.0.2.10', 2208) && has('udp', '192.0.2.10', 1812), 'plan switch on its ports');
  t.ok(has('tcp', '192.0.2.11', 5060), 'switch from the settings');
  t.ok(has('tcp', '198.51.100.1', 2775), 'first address of the switch CIDR');
  for (const address of ['192.0.2.1', '198.51.100.1', '203.0.113.5']) {
    t.ok(has('udp', address, 161) && has('tcp', address, 22) && has('tcp', address, 25) && has('tcp', address, 443), `documentation address ${address}`);
  }
  const keys = probes.map((p) => `${p.protocol}/${p.host}/${p.port}`);
  t.equal(new Set(keys).size, keys.length, 'each destination once');
  t.ok(probes.length < 300, `${probes.length} probes`);
});
