#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx's loader: no build step between an edit and a run.
// Dependencies are installed first when they are missing (a fresh clone), so `npm start` needs nothing before it.
import { ensureDeps } from './ensure-deps.mjs';

ensureDeps();
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../harness/cli.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
