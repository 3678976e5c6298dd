import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { thisCommand } from '../util/command.ts';

/**
 * How services ended, on disk, so that any process can tell: a `run` attached to a detached stack, `doctor`,
 * a foreground `up` whose services another command stopped. Every service runs under a small sh wrapper
 * that waits for it and writes its exit status to `<stack>/exits/<pid>` (see processes.ts); whoever stops a
 * service on purpose first writes `<pid>.expected` saying why, so supervision tells a crash from a fault.
 */
export const exitsDir = (stackDir: string): string => join(stackDir, 'exits');

export interface ExitStatus {
  /** The shell's status: the exit code, or 128 + the signal's number. */
  status: number;
  signal?: string;
  /** When the wrapper wrote it (just after the service ended). */
  at: number;
}

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name]));

/**
 * A status sh reports as 128 + n is taken for signal n, as shells and Docker do (a program's own exit(137) reads the
 * same).
 */
export function decodeStatus(status: number): { status: number; signal?: string } {
  const sig = status > 128 ? SIGNAL_NAMES.get(status - 128) : undefined;
  return sig ? { status, signal: sig } : { status };
}

export function readExitStatus(stackDir: string, pid: number): ExitStatus | undefined {
  const p = join(exitsDir(stackDir), String(pid));
  try {
    const status = Number(readFileSync(p, 'utf8').trim());
    if (!Number.isInteger(status)) return undefined;
    return { ...decodeStatus(status), at: statSync(p).mtimeMs };
  } catch {
    return undefined;
  }
}

export function describeStatus(s: ExitStatus | undefined): string {
  if (!s) return 'exit status unknown (it was not started through the wrapper that records it)';
  return s.signal ? `killed by ${s.signal} (status ${s.status})` : `exit code ${s.status}`;
}

/** Why a service was stopped on purpose: a process fault, its stack's own stop, or `down`/the next `up`'s cleanup. */
export type ExitReason = 'fault' | 'stop' | 'down';

export interface ExpectedExit {
  reason: ExitReason;
  /** The process that stopped it, and its command. */
  by: number;
  command: string;
  at: number;
}

export function expectExit(stackDir: string, pid: number, reason: ExitReason): void {
  const dir = exitsDir(stackDir);
  mkdirSync(dir, { recursive: true });
  const rec: ExpectedExit = { reason, by: process.pid, command: thisCommand(), at: Date.now() };
  const p = join(dir, `${pid}.expected`);
  writeFileSync(`${p}.tmp`, JSON.stringify(rec));
  renameSync(`${p}.tmp`, p);
}

export function expectedExit(stackDir: string, pid: number): ExpectedExit | undefined {
  try {
    return JSON.parse(readFileSync(join(exitsDir(stackDir), `${pid}.expected`), 'utf8')) as ExpectedExit;
  } catch {
    return undefined;
  }
}
