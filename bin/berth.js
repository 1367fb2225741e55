#!/usr/bin/env node
// The `berth` command: a thin launcher for the compiled CLI.
import('../dist/cli/index.js').then((cli) => cli.run(process.argv));
