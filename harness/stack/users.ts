import { readFileSync } from 'node:fs';
import { EnvError } from '../util/errors.ts';
import { run } from '../util/exec.ts';
import type { RunAs } from './processes.ts';

function lookup(user: string): RunAs | undefined {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === user && uid && gid) return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

export const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * initdb and Elasticsearch refuse to run as root. As root we drop to an unprivileged user (Debian's
 * `postgres` for Postgres where it exists, else and for Elasticsearch a system user `outbox-chaos` we create);
 * as anyone else the services simply run as that user.
 */
export async function serviceUser(kind: 'postgres' | 'elasticsearch'): Promise<RunAs | undefined> {
  if (!isRoot()) return undefined;
  // Debian's `postgres` user when its package made one; else (Postgres from npm) our own unprivileged user.
  const pg = kind === 'postgres' ? lookup('postgres') : undefined;
  if (pg) return pg;
  const name = 'outbox-chaos';
  let u = lookup(name);
  if (!u) {
    await run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', name], {
      what: `creating the ${name} user`,
      fix: 'create an unprivileged user named outbox-chaos, or run the harness as a non-root user',
    });
    u = lookup(name);
  }
  if (!u) {
    throw new EnvError(
      `user ${name} not found`,
      'create an unprivileged user named outbox-chaos, or run the harness as a non-root user',
    );
  }
  return u;
}

/** argv prefix that runs a command as `u` (nothing when we are that user already). */
export function asUser(u: RunAs | undefined, cmd: string, args: string[]): [string, string[]] {
  if (!u) return [cmd, args];
  return ['setpriv', [`--reuid=${u.uid}`, `--regid=${u.gid}`, '--clear-groups', '--', cmd, ...args]];
}
