// `npm run build` (and `prepack`): compiles harness/ to dist/ (JavaScript and .d.ts, tests left out) and copies
// the report pages' assets beside the compiled code that reads them. A fresh dist/ every time: nothing stale ships.
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) {
  process.stderr.write(`error: tsc failed (exit ${r.status ?? r.signal}); fix: the errors above\n`);
  process.exit(2);
}
cpSync(join(root, 'harness', 'report', 'assets'), join(dist, 'harness', 'report', 'assets'), { recursive: true });
