// Installs the project's npm dependencies when they are missing or out of date with the lockfile, so that
// `npm start` and `npm test` work on a fresh clone with nothing run before them. Plain JavaScript with no
// imports beyond Node's own: it has to run before node_modules exists.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stampFile = join(root, 'node_modules', '.outbox-chaos-lock.sha1');

function lockHash() {
  return createHash('sha1')
    .update(readFileSync(join(root, 'package-lock.json')))
    .digest('hex');
}

/** True when node_modules was installed from the current lockfile (one small hash: ~1 ms). */
export function depsUpToDate() {
  if (!existsSync(stampFile)) return false;
  return readFileSync(stampFile, 'utf8').trim() === lockHash();
}

export function ensureDeps() {
  if (depsUpToDate()) return;
  // A node_modules installed by hand (npm ci / npm install) after the lockfile last changed: npm's own hidden
  // lockfile is newer than package-lock.json; record our stamp instead of installing again.
  const hidden = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(hidden) && statSync(hidden).mtimeMs >= statSync(join(root, 'package-lock.json')).mtimeMs) {
    writeFileSync(stampFile, `${lockHash()}\n`);
    return;
  }
  process.stderr.write('outbox-chaos: installing npm dependencies (npm ci) …\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) {
    process.stderr.write(
      `\nerror: npm ci failed (exit ${r.status ?? r.signal}); the npm registry must be reachable once\n` +
        `fix: run \`npm ci\` in ${root} and look at its output\n`,
    );
    process.exit(3);
  }
  writeFileSync(stampFile, `${lockHash()}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) ensureDeps();
