import t from 'tap';
import { join } from 'node:path';
import { loadAdapter } from '../../src/platform/load-adapter.js';
import { WarningKinds } from '../../src/checks/warning-kinds.js';
import { PROJECT_ROOT } from '../helpers/plan-fixture.js';

/**
 * The stand-ins' `eventLog.externalWarnings` message lists against the warnings their services
 * write: every outside-system failure gets the margin, every data problem filed under the same
 * kind does not. The messages are written as the services format them (the file named by each).
 */
type Case = readonly [module: string, action: string, message: string];

t.test('the sample platform: gateway, mail server and switch failures match; expired cards, missing gateways and missing addresses do not', async (t) => {
  const kinds = new WarningKinds(loadAdapter(join(PROJECT_ROOT, 'platforms/sample')).externalWarnings);
  // sample-platform/service/billing/outbound-steps.ts, outbound/payments.ts, outbound/provisioning.ts, outbound/reachability.ts
  const outside: Case[] = [
    ['Payments', 'Charge', 'stripe: declined by the gateway'],
    ['Payments', 'Charge', 'authorizenet: gateway answered HTTP 502'],
    ['Payments', 'Charge', 'paypal: gateway answer was not JSON'],
    ['Payments', 'Charge', 'stripe: ECONNRESET: socket hang up'],
    ['Payments', 'Charge', 'stripe: DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate'],
    ['Payments', 'Charge', 'stripe: api.stripe.example:443 unreachable (ECONNREFUSED: connect ECONNREFUSED 192.0.2.10:443)'],
    ['Payments', 'Charge', 'stripe: api.stripe.example:443 did not answer in time'],
    ['Email', 'Send', "INV-2026-11-01-ACC-000008: EENVELOPE: Can't send mail - all recipients were rejected: 550 5.1.1 unknown user"],
    ['Email', 'Send', 'INV-2026-11-01-ACC-000008: ETIMEDOUT: Greeting never received'],
    ['Email', 'Send', 'INV-2026-11-01-ACC-000008: connect ECONNREFUSED 192.0.2.25:25'],
    ['Email', 'Send', 'INV-2026-11-01-ACC-000008: getaddrinfo ENOTFOUND mail.example'],
    ['Email', 'Send', 'INV-2026-11-01-ACC-000008: mail.example:25 unreachable (ECONNREFUSED: connect ECONNREFUSED 192.0.2.25:25)'],
    ['Provisioning', 'Activate', 'NET-1000: switch1.example:5000 unreachable (connect timeout)'],
    ['Provisioning', 'Activate', 'NET-1000: read ECONNRESET'],
    ['Provisioning', 'Activate', 'VOICE-1000: switch1.example:5000 did not take the request in time'],
    ['Provisioning', 'Activate', 'VOICE-1000: switch1.example:5000 closed the connection before the request was sent'],
    ['Provisioning', 'Activate', 'NET-1000 not sent: could not open a provisioning session'],
  ];
  const data: Case[] = [
    ['Payments', 'Charge', 'card expired (2026-09), INV-2026-11-01-ACC-000008 not charged'],
    ['Payments', 'Charge', 'no gateway configured for processor stripe'],
    ['Email', 'Send', 'INV-2026-11-01-ACC-000008: no e-mail address on file'],
  ];
  for (const [module, action, message] of outside) t.equal(kinds.partOf(module, action, message), 'outside systems', message);
  for (const [module, action, message] of data) t.equal(kinds.partOf(module, action, message), 'other messages', message);
  t.equal(kinds.partOf('Invoices', 'Render', 'INV-2026-11-01-ACC-000011: template has no eCheck remittance slip; rendered without it'), 'all', 'an undeclared kind is whole');
});

t.test('the EngageIP-shaped platform: declines and switch failures match; expired cards do not', async (t) => {
  const kinds = new WarningKinds(loadAdapter(join(PROJECT_ROOT, 'platforms/engageip-shaped')).externalWarnings);
  // engageip-shaped-platform/service/service.ts, sample-platform/shared/send-line.ts
  const outside: Case[] = [
    ['Payments', 'Charge', 'IN20261101-U000001: declined (card declined (rehearsal sinkhole rule))'],
    ['Payments', 'Charge', 'IN20261101-U000001: declined (gateway answered HTTP 503 without JSON)'],
    ['Provisioning', 'Activate', 'VOICE-100: connect ECONNREFUSED 192.0.2.30:7000'],
    ['Provisioning', 'Activate', 'Business Voice: getaddrinfo ENOTFOUND switch.example'],
    ['Provisioning', 'Activate', 'VOICE-100: 192.0.2.30:7000 did not take the request in time'],
  ];
  for (const [module, action, message] of outside) t.equal(kinds.partOf(module, action, message), 'outside systems', message);
  t.equal(kinds.partOf('Payments', 'Charge', 'IN20261101-U000001: card expired'), 'other messages');
});
