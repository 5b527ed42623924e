import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { cataloguePorts, gatewayHosts, loadEgressCatalogue } from '../../src/egress/catalogue.js';
import { ConfigErrors } from '../../src/errors.js';

const catalogue = loadEgressCatalogue();

const providers = [
  'Authorize.Net', 'Stripe', 'PayPal REST', 'PayPal NVP', 'PayPal Payflow', 'Braintree', 'Moneris',
  'Chase Orbital', 'Elavon Converge', 'Worldpay', 'Adyen', 'Bambora', 'CyberSource', 'Global Payments',
  'Square', 'Paysafe', 'NMI',
];

t.test('every required gateway is listed for production and sandbox', async (t) => {
  for (const provider of providers) {
    for (const environment of ['production', 'sandbox'] as const) {
      const entry = catalogue.paymentGateways.find((g) => g.provider === provider && g.environment === environment);
      t.ok(entry && entry.hosts.length > 0, `${provider} ${environment} has hosts`);
    }
  }
});

t.test('the hosts the sample platform charges through are caught', async (t) => {
  const hosts = gatewayHosts(catalogue);
  for (const host of ['api.authorize.net', 'api.stripe.com', 'api-m.paypal.com', 'payflowpro.paypal.com']) {
    t.ok(hosts.includes(host), host);
  }
});

t.test('SMTP and every switch/provisioning port are listed with their protocol', async (t) => {
  t.same([...catalogue.smtpPorts].sort((a, b) => a - b), [25, 465, 587, 2525]);
  const ports = cataloguePorts(catalogue).map((p) => `${p.protocol}/${p.port}`);
  const expected = [
    'udp/1812', 'udp/1813', 'udp/3799', 'tcp/3868', 'udp/5060', 'tcp/5060', 'tcp/5061', 'tcp/2208',
    'tcp/2209', 'tcp/22', 'tcp/23', 'tcp/830', 'udp/161', 'udp/162', 'tcp/2775', 'tcp/443', 'tcp/25',
  ];
  for (const p of expected) t.ok(ports.includes(p), p);
  t.equal(new Set(ports).size, ports.length, 'each protocol/port pair once');
});

t.test('a broken catalogue is refused with the line of the mistake', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-catalogue-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'catalogue.yaml');
  writeFileSync(
    file,
    [
      'paymentGateways:',
      '  - provider: Example',
      '    environment: staging',
      '    port: 443',
      '    hosts: [api.example.com]',
      'smtpPorts: [25]',
      'switchServices:',
      '  - { service: SSH, protocol: tcp, ports: [70000] }',
    ].join('\n'),
  );
  const error = t.throws(() => loadEgressCatalogue(file)) as unknown;
  t.type(error, ConfigErrors);
  const message = (error as Error).message;
  t.match(message, /catalogue\.yaml:3:\d+: .*environment.* must be one of: production, sandbox/);
  t.match(message, /catalogue\.yaml:8:\d+: .*ports\.0.* must be <= 65535/);
});
