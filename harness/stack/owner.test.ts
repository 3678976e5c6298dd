import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimStack, lockPath, StackInUse, stackOwner, type StackOwner } from './owner.ts';

const startTicks = (pid: number): string => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
};

/** A lock as another process would have written it. */
function plant(name: string, o: Partial<StackOwner> & { pid: number }): void {
  writeFileSync(
    lockPath(name),
    JSON.stringify({
      command: 'outbox-chaos run baseline',
      since: '2026-01-01T00:00:00.000Z',
      started: o.started ?? startTicks(o.pid),
      ...o,
    }),
  );
}

describe('one owner per stack (the lock)', () => {
  const saved = process.env.OUTBOX_CHAOS_STATE;
  let other: ChildProcess;

  beforeAll(() => {
    process.env.OUTBOX_CHAOS_STATE = mkdtempSync(join(tmpdir(), 'oc-owner-'));
    // A live process that is not an ancestor of this one: the owner another terminal would be.
    other = spawn('sleep', ['60'], { stdio: 'ignore' });
  });
  afterAll(() => {
    other.kill('SIGKILL');
    rmSync(process.env.OUTBOX_CHAOS_STATE as string, { recursive: true, force: true });
    if (saved === undefined) delete process.env.OUTBOX_CHAOS_STATE;
    else process.env.OUTBOX_CHAOS_STATE = saved;
  });

  it('takes a free stack, names this process in the lock, and releases it', () => {
    const { release, tookOver } = claimStack('a');
    expect(tookOver).toBeUndefined();
    const o = JSON.parse(readFileSync(lockPath('a'), 'utf8')) as StackOwner;
    expect(o.pid).toBe(process.pid);
    expect(o.command.length).toBeGreaterThan(0);
    expect(stackOwner('a')?.pid).toBe(process.pid);
    release();
    expect(existsSync(lockPath('a'))).toBe(false);
    expect(stackOwner('a')).toBeUndefined();
  });

  it('nests within one process: the lock goes with the outermost release', () => {
    const outer = claimStack('b').release;
    const inner = claimStack('b').release;
    inner();
    inner(); // a second call of the same release does nothing
    expect(existsSync(lockPath('b'))).toBe(true);
    outer();
    expect(existsSync(lockPath('b'))).toBe(false);
  });

  it('refuses a stack a live process holds, naming its pid and command', () => {
    plant('c', { pid: other.pid as number });
    let err: unknown;
    try {
      claimStack('c');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StackInUse);
    expect((err as StackInUse).exitCode).toBe(3);
    expect((err as StackInUse).message).toContain(`pid ${other.pid} (outbox-chaos run baseline)`);
    expect(JSON.parse(readFileSync(lockPath('c'), 'utf8')).pid).toBe(other.pid);
  });

  it('takes over the lock of a process that is gone, and of a pid reused by another process', () => {
    const dead = spawn('true');
    return new Promise<void>((resolve) => {
      dead.on('exit', () => {
        plant('d', { pid: dead.pid as number, started: '1' });
        const d = claimStack('d');
        expect(d.tookOver).toMatchObject({ pid: dead.pid, command: 'outbox-chaos run baseline' });
        d.release();
        // A live pid whose start time is not the recorded one is not the owner.
        plant('e', { pid: other.pid as number, started: '1' });
        expect(stackOwner('e')).toBeUndefined();
        const { release } = claimStack('e');
        expect(JSON.parse(readFileSync(lockPath('e'), 'utf8')).pid).toBe(process.pid);
        release();
        resolve();
      });
    });
  });

  it('shares a stack its ancestor holds (a command that a test or the owner started)', () => {
    plant('f', { pid: process.ppid });
    const { release } = claimStack('f');
    release();
    expect(JSON.parse(readFileSync(lockPath('f'), 'utf8')).pid).toBe(process.ppid);
  });
});
