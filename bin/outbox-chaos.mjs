#!/usr/bin/env node
// Installed as a package: runs the compiled JavaScript in dist/, nothing transpiled at run time.
// In a clone (harness/ sources beside this file): runs the TypeScript CLI through tsx's loader, so there is no
// build step between an edit and a run (a dist/ that `npm pack` left in a clone may be stale, and is not used);
// its dependencies are installed first when they are missing, so `npm start` needs nothing before it.
import { existsSync } from 'node:fs';

const clone = existsSync(new URL('../harness/cli.ts', import.meta.url));
let main;
if (clone) {
  const { ensureDeps } = await import('./ensure-deps.mjs');
  ensureDeps();
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../harness/cli.ts'));
} else {
  ({ main } = await import('../dist/harness/cli.js'));
}
process.exitCode = await main(process.argv.slice(2));
