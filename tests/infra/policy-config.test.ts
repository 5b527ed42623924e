import { readFileSync } from 'node:fs';
import t from 'tap';
import { policyConfigFromPlan } from '../../infra/policy-config.js';
import { loadPlan } from '../../src/plan/load.js';

t.test('the shipped policy configuration is the example plan\'s (one source)', async (t) => {
  const plan = loadPlan(new URL('../../plans/rc-2026-12-1.aws.yaml', import.meta.url).pathname);
  const shipped = JSON.parse(readFileSync(new URL('../../policy/config.rc-2026-12-1.json', import.meta.url), 'utf8')) as unknown;
  t.same(shipped, policyConfigFromPlan(plan), 'regenerate with node --import tsx infra/policy-config.ts plans/rc-2026-12-1.aws.yaml');
  t.match(shipped, { 'no-internet-path': { egressPolicy: 'deny-all' }, 'no-route-to-switch-networks': { switchCidrs: ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24'] } });
});
