#!/usr/bin/env -S node --import tsx
// Thin entry point: all behaviour lives in src/cli/rehearse-cli.ts.
import { main } from '../src/cli/rehearse-cli.js';

process.exitCode = await main(process.argv.slice(2));
