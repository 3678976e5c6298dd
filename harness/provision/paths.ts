import { homedir } from 'node:os';
import { join } from 'node:path';

export { PROJECT_ROOT } from '../record/paths.ts';

/** Downloaded and built artifacts, shared by all stacks. */
export function cacheDir(): string {
  return process.env.OUTBOX_CHAOS_CACHE ?? join(homedir(), '.cache', 'outbox-chaos');
}

/**
 * Data dirs, logs and pid files of running stacks. Not under the home directory: when we run as root,
 * Postgres and Elasticsearch run as unprivileged users who cannot traverse /root.
 */
export function stateRoot(): string {
  const uid = process.getuid?.() ?? 0;
  return process.env.OUTBOX_CHAOS_STATE ?? join('/var/tmp', `outbox-chaos-${uid}`);
}
