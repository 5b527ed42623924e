import { PREBUILT_ENTRIES_ENV } from '../../src/runtime/typescript-process.js';
import { prebuiltEntries } from './prebuilt-entries.js';

/**
 * Loaded into every test file's process (.taprc node-arg). tap puts its process-info hook into
 * NODE_OPTIONS so that child processes report coverage; with coverage off (`npm test`) it only
 * costs each CLI, keeper and generator the tests start about 0.2 s of CPU, hundreds of times per
 * run. `npm run coverage` keeps it.
 */
if (process.env['_TAPJS_PROCESSINFO_COVERAGE_'] === '0' && process.env['NODE_OPTIONS']?.includes('@tapjs/processinfo') === true) delete process.env['NODE_OPTIONS'];

/**
 * The programs the tests start (CLI, keeper, sinkholes, probes, billing service, generator) run bundled
 * (prebuilt-entries.ts), except when coverage is collected (it maps only the source files).
 * REHEARSAL_PREBUILT_ENTRIES= (empty) runs them from source.
 */
const collectingCoverage = process.env['NODE_V8_COVERAGE'] !== undefined || process.env['_TAPJS_PROCESSINFO_COVERAGE_'] === '1';
if (process.env[PREBUILT_ENTRIES_ENV] === undefined && !collectingCoverage) process.env[PREBUILT_ENTRIES_ENV] = await prebuiltEntries();
