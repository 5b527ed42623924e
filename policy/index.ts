import { PolicyPack } from '@pulumi/policy';
import { rehearsalPolicies } from './policies.js';

new PolicyPack('rehearsal-isolation', {
  description: 'Isolation rules of a rehearsal environment: nothing in it may charge a card, send a mail or reach a switch.',
  enforcementLevel: 'mandatory',
  policies: rehearsalPolicies,
});
