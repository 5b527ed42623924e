/**
 * Loaded into every test file's process (.taprc node-arg). tap puts its process-info hook into
 * NODE_OPTIONS so that child processes report coverage; with coverage off (`npm test`) it only
 * costs each CLI, keeper and generator the tests start about 0.2 s of CPU, hundreds of times per
 * run. `npm run coverage` keeps it.
 */
if (process.env['_TAPJS_PROCESSINFO_COVERAGE_'] === '0' && process.env['NODE_OPTIONS']?.includes('@tapjs/processinfo') === true) delete process.env['NODE_OPTIONS'];
