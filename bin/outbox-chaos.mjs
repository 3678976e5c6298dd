#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx's loader: no build step between an edit and a run.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../harness/cli.ts');
const code = await main(process.argv.slice(2));
process.exitCode = code;
