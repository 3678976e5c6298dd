import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The nearest directory above `from` that holds a package.json. */
function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/**
 * The harness's own root (where its package.json lives): the catalogue (scenarios/), the zoo and the healthy
 * pipeline definition (connectors/) are read from here. In a clone it is the clone; installed, it is
 * node_modules/outbox-chaos (the compiled code runs from its dist/, which holds no package.json).
 */
export const PROJECT_ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));

/**
 * The user's project: the directory the command runs in. Its own scenarios/ are found there and its runs are
 * written to its reports/. In a clone, commands (and npm scripts) run from the clone's root: the same place.
 */
export function workRoot(): string {
  return process.cwd();
}

/** Where run directories go: reports/ in the project, or OUTBOX_CHAOS_REPORTS. */
export function reportsRoot(): string {
  return process.env.OUTBOX_CHAOS_REPORTS ?? join(workRoot(), 'reports');
}
