import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { EnvError } from '../util/errors.ts';
import { tail } from '../util/exec.ts';
import { exitsDir } from './exits.ts';

/** Every process the harness starts carries this variable, so a later `up`/`down` can find it after a crash. */
export const STACK_ENV = 'OUTBOX_CHAOS_STACK';

export interface RunAs {
  uid: number;
  gid: number;
}

export interface SpawnSpec {
  name: string;
  cmd: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  logFile: string;
  stackDir: string;
  /** Drop privileges to this user (services that refuse root). */
  runAs?: RunAs;
}

/**
 * The wrapper every service runs under. `setsid` execs in place, so `$!` is the service's own pid, in a session
 * and process group of its own (a signal to that group never reaches the wrapper); the wrapper hands the pid
 * over on fd 3, waits, and writes the exit status to `<exits>/<pid>` (through a rename: never half a file).
 */
const WRAPPER =
  'd=$1; shift; setsid "$@" 3>&- & pid=$!; echo "$pid" >&3; exec 3>&-; wait "$pid"; s=$?; ' +
  'echo "$s" > "$d/$pid.tmp" && mv "$d/$pid.tmp" "$d/$pid"';

/**
 * Starts a service in its own process group (so one signal reaches its children too), with stdout and
 * stderr appended to its log file, under the wrapper above. Resolves to the service's pid. The harness does
 * not wait on it: it is stopped explicitly, watched through its pid and exit file, or found again through
 * STACK_ENV after a crash.
 */
export async function spawnService(spec: SpawnSpec): Promise<number> {
  const exits = exitsDir(spec.stackDir);
  mkdirSync(exits, { recursive: true });
  const fd = openSync(spec.logFile, 'a', 0o600);
  const env = { ...process.env, ...spec.env, [STACK_ENV]: spec.stackDir };
  let cmd = spec.cmd;
  let args = spec.args;
  if (spec.runAs) {
    // setpriv execs in place too: the pid is still the service's own.
    args = [`--reuid=${spec.runAs.uid}`, `--regid=${spec.runAs.gid}`, '--clear-groups', '--', cmd, ...args];
    cmd = 'setpriv';
  }
  try {
    const child = spawn('sh', ['-c', WRAPPER, 'sh', exits, cmd, ...args], {
      cwd: spec.cwd,
      env,
      detached: true,
      stdio: ['ignore', fd, fd, 'pipe'],
    });
    const pidPipe = child.stdio[3] as Readable;
    const pid = await new Promise<number>((resolve, reject) => {
      let out = '';
      pidPipe.on('data', (d: Buffer) => (out += d.toString()));
      pidPipe.on('end', () =>
        /^\d+$/.test(out.trim())
          ? resolve(Number(out.trim()))
          : reject(new EnvError(`could not start ${spec.name}: ${cmd}`, `see ${spec.logFile}`)),
      );
      child.on('error', (err) =>
        reject(
          new EnvError(`could not start ${spec.name}: ${err.message}`, 'the harness needs sh and setsid (util-linux)'),
        ),
      );
    });
    pidPipe.destroy();
    child.unref();
    return pid;
  } finally {
    closeSync(fd);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie still answers kill(0); it is dead for our purposes.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/** The state letter from /proc/<pid>/stat (R, S, T = stopped, Z...), undefined when gone. */
export function processState(pid: number): string | undefined {
  try {
    return /^\d+ \(.*\) (\S)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

export function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* already gone */
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Stops a service: `sig` to its main process (services shut down cleanly on it), SIGCONT in case a fault
 * froze it, then SIGKILL to the whole group when it has not exited within graceMs.
 */
export async function stopProcess(pid: number, sig: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
  if (!isAlive(pid)) {
    signalGroup(pid, 'SIGKILL');
    return;
  }
  try {
    process.kill(pid, sig);
  } catch {
    /* gone */
  }
  signalGroup(pid, 'SIGCONT');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && isAlive(pid)) await sleep(50);
  signalGroup(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(20);
}

/** Pids of every live process carrying STACK_ENV=stackDir (read from /proc; our own processes only). */
export function findStackProcesses(stackDir: string): number[] {
  const needle = Buffer.from(`${STACK_ENV}=${stackDir}\0`);
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`);
      if (environ.includes(needle)) pids.push(pid);
    } catch {
      /* exited, or not ours to read */
    }
  }
  return pids;
}

/** Kills every leftover process of a stack (after a crashed harness), by group, then waits for them. */
export async function killStackProcesses(stackDir: string): Promise<number> {
  const pids = findStackProcesses(stackDir);
  for (const pid of pids) {
    signalGroup(pid, 'SIGKILL');
  }
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && pids.some(isAlive)) await sleep(50);
  return pids.length;
}

export function logTail(logFile: string, lines = 30): string {
  return existsSync(logFile) ? tail(readFileSync(logFile, 'utf8'), lines) : '(no log yet)';
}
