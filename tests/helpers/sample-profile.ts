import { join } from 'node:path';
import { loadAdapter } from '../../src/platform/load-adapter.js';
import { Profile } from '../../src/platform/profile.js';
import { PROJECT_ROOT } from './plan-fixture.js';

/** The sample platform's adapter and profile, as a plan with `platform.kind: sample` loads them. */
export const SAMPLE_ADAPTER = loadAdapter(join(PROJECT_ROOT, 'platforms/sample'));
export const SAMPLE_PROFILE = new Profile(SAMPLE_ADAPTER);
