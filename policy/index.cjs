// Entry point for Pulumi's policy analyzer, which require()s the pack as CommonJS (with ts-node on).
// The pack's sources are ESM TypeScript like the rest of the project, so they are bundled here, in
// memory and on every load (a few tens of milliseconds), into one CommonJS module: no build step, and
// never a stale copy. The Pulumi packages stay external so the analyzer and the pack share them.
'use strict';
const path = require('node:path');
const { buildSync } = require('esbuild');

const entry = path.join(__dirname, 'index.ts');
const bundle = buildSync({
  entryPoints: [entry],
  bundle: true,
  write: false,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  logLevel: 'silent',
  sourcemap: 'inline',
});
module._compile(bundle.outputFiles[0].text, path.join(__dirname, 'index.bundle.cjs'));
