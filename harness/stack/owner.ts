import { chmodSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { writePrivate } from '../util/private-files.ts';
import { join } from 'node:path';
import { stateRoot } from '../provision/paths.ts';
import { thisCommand } from '../util/command.ts';
import { EnvError } from '../util/errors.ts';
import { isAlive } from './processes.ts';

/**
 * One owner per stack: `<state root>/<name>.lock` names the process that uses the stack now (pid, command,
 * since when). Every command that starts a stack or runs on one holds it until it exits; a lock whose process
 * is gone is taken over. It lives beside the stack's directory, not in it, because every `up` empties that.
 */
export interface StackOwner {
  pid: number;
  command: string;
  since: string;
  /** The process's start time (/proc/<pid>/stat), so that a reused pid is not taken for the owner. */
  started: string;
}

export class StackInUse extends EnvError {
  constructor(
    readonly stackName: string,
    readonly owner: StackOwner,
  ) {
    super(
      `stack "${stackName}" is in use by pid ${owner.pid} (${owner.command}) since ${owner.since}`,
      `wait for that command to finish or stop it (Ctrl-C in its terminal, or kill ${owner.pid}); ` +
        'or use another stack: --name NAME --port-base N',
    );
  }
}

export const lockPath = (name: string): string => join(stateRoot(), `${name}.lock`);

/** Field 22 of /proc/<pid>/stat (start time in clock ticks); undefined when the process is gone. */
function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** The process and its ancestors: a command a test or a script of the owner runs shares the owner's stack. */
function lineage(): Set<number> {
  const out = new Set<number>();
  for (let p: number | undefined = process.pid; p && p > 1 && !out.has(p); p = parentOf(p)) out.add(p);
  return out;
}

function readOwner(path: string): StackOwner | undefined {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as StackOwner;
    return Number.isInteger(o.pid) ? o : undefined;
  } catch {
    return undefined;
  }
}

const live = (o: StackOwner): boolean => isAlive(o.pid) && startTime(o.pid) === o.started;

/** The live owner of a stack, if any. */
export function stackOwner(name: string): StackOwner | undefined {
  const o = readOwner(lockPath(name));
  return o && live(o) ? o : undefined;
}

/** Creates the lock with its content in one step (link(2) of a finished file fails when the lock exists). */
function tryCreate(path: string, me: StackOwner): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  writePrivate(tmp, `${JSON.stringify(me)}\n`);
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Removes a dead owner's lock, unless someone else replaced it meanwhile: the lock is renamed aside first
 * (only one taker can), and put back when what was moved is not the dead lock that was read.
 */
function removeStale(path: string, seen: string): void {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch {
    return; // gone already: another taker was faster
  }
  if (readFileSync(aside, 'utf8') !== seen) {
    try {
      linkSync(aside, path);
    } catch {
      /* a third process took it meanwhile; theirs stands */
    }
  }
  rmSync(aside, { force: true });
}

const held = new Map<string, number>();
let exitHook = false;

function release(name: string): void {
  const depth = (held.get(name) ?? 0) - 1;
  if (depth > 0) return void held.set(name, depth);
  held.delete(name);
  const path = lockPath(name);
  if (readOwner(path)?.pid === process.pid) unlinkSync(path);
}

export interface Claim {
  release(): void;
  /** The lock was a dead owner's (killed, crashed): what that command left of the stack is a leftover. */
  tookOver?: StackOwner | 'unreadable';
}

/**
 * Takes the stack for this process until it exits or calls release(); a nested claim (the same process, or
 * a command its owner started) shares it. Throws StackInUse (exit 3) naming a live owner.
 */
export function claimStack(name: string): Claim {
  let done = false;
  const once = () => {
    if (!done && held.has(name)) release(name);
    done = true;
  };
  if (held.has(name)) {
    held.set(name, (held.get(name) ?? 0) + 1);
    return { release: once };
  }
  let tookOver: Claim['tookOver'];
  const path = lockPath(name);
  mkdirSync(stateRoot(), { recursive: true });
  chmodSync(stateRoot(), 0o711); // stacks' directories below are traversed by service users; names are no secret
  const me: StackOwner = {
    pid: process.pid,
    command: thisCommand(),
    since: new Date().toISOString(),
    started: startTime(process.pid) ?? '',
  };
  for (let attempt = 0; attempt < 10; attempt++) {
    if (tryCreate(path, me)) {
      held.set(name, 1);
      if (!exitHook) {
        exitHook = true;
        process.on('exit', () => {
          for (const n of [...held.keys()])
            if (readOwner(lockPath(n))?.pid === process.pid) rmSync(lockPath(n), { force: true });
        });
      }
      return { release: once, ...(tookOver ? { tookOver } : {}) };
    }
    let seen: string;
    try {
      seen = readFileSync(path, 'utf8');
    } catch {
      continue; // released between the two calls
    }
    const owner = readOwner(path);
    if (owner && live(owner)) {
      if (lineage().has(owner.pid)) return { release: () => undefined };
      throw new StackInUse(name, owner);
    }
    removeStale(path, seen);
    tookOver = owner ?? 'unreadable';
  }
  throw new EnvError(`could not take the lock ${path}: it keeps changing hands`, 'try again in a moment');
}
