import t from 'tap';
import { makeSample } from '../helpers/sample-fixture.js';
import { faultGivesNoGo, faultRuns } from '../helpers/fault-cases.js';

// Rounding, the event log and provisioning; the faults in dates, discounts and pools are in fault-switches.
const sample = makeSample(60, 7);
t.teardown(() => sample.cleanup());

faultGivesNoGo(t, faultRuns(sample), [
  { fault: 'rounding-half-down', check: 'production-diff', summary: /invoice total/ },
  { fault: 'event-log-error', check: 'event-log', summary: /\d+ error\(s\)/ },
  { fault: 'provisioning-failed', check: 'provisioning', account: 'ACC-000001', summary: /were not provisioned/ },
]);
