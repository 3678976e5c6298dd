import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's root directory (where package.json lives). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where run directories go: reports/ in the project, or OUTBOX_CHAOS_REPORTS. */
export function reportsRoot(): string {
  return process.env.OUTBOX_CHAOS_REPORTS ?? join(PROJECT_ROOT, 'reports');
}
