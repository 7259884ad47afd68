#!/usr/bin/env node
import '../dist/v8-flags.js';
const { main } = await import('../dist/cli.js');

process.exitCode = await main(process.argv);
