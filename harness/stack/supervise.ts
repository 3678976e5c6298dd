import { join } from 'node:path';
import { describeStatus, expectedExit, readExitStatus, type ExitStatus, type ExpectedExit } from './exits.ts';
import { isAlive, logTail } from './processes.ts';
import type { ServiceName } from './service.ts';
import { readState } from './state.ts';

/** A service process that ended without this process meaning it to. */
export interface ServiceExit {
  service: ServiceName;
  pid: number;
  status: ExitStatus | undefined;
  /** Set when another command stopped it on purpose (`down`, another process's stop): who, and why. */
  stoppedBy?: ExpectedExit;
  logFile: string;
  logTail: string;
  detectedAt: number;
}

export function describeExit(e: ServiceExit): string {
  const how = describeStatus(e.status);
  if (e.stoppedBy)
    return `${e.service} (pid ${e.pid}) was stopped by ${e.stoppedBy.command} (pid ${e.stoppedBy.by}): ${how}`;
  return `${e.service} (pid ${e.pid}) exited outside a fault: ${how}`;
}

/** A stop this process made, or any process fault, is meant; a crash, or a stop by `down` elsewhere, is not. */
function meant(x: ExpectedExit | undefined): boolean {
  return x !== undefined && (x.reason === 'fault' || x.by === process.pid);
}

/** The wrapper writes the status a moment after the service ends; a death is reported without it after this. */
const STATUS_GRACE_MS = 500;

/**
 * Watches every service of a stack from its state file (so it follows restarts by process faults, in this
 * process or another) and calls `onExit` once per process that ends unexpectedly, within a poll interval plus
 * STATUS_GRACE_MS of its death. Returns a function that stops watching. The timer does not keep Node alive.
 */
export function superviseStack(
  dir: string,
  onExit: (e: ServiceExit) => void,
  opts: { intervalMs?: number } = {},
): () => void {
  const done = new Set<number>();
  const firstSeenDead = new Map<number, number>();
  const tick = (): void => {
    const state = readState(dir);
    if (!state) return;
    for (const [service, pid] of Object.entries(state.pids) as [ServiceName, number][]) {
      if (pid === undefined || done.has(pid) || isAlive(pid)) continue;
      const expected = expectedExit(dir, pid);
      if (meant(expected)) {
        done.add(pid);
        continue;
      }
      const status = readExitStatus(dir, pid);
      const now = Date.now();
      if (!status && now - (firstSeenDead.get(pid) ?? (firstSeenDead.set(pid, now), now)) < STATUS_GRACE_MS) continue;
      done.add(pid);
      const logFile = join(dir, 'logs', `${service}.log`);
      onExit({
        service,
        pid,
        status,
        ...(expected ? { stoppedBy: expected } : {}),
        logFile,
        logTail: logTail(logFile, 20),
        detectedAt: now,
      });
    }
  };
  const timer = setInterval(tick, opts.intervalMs ?? 250);
  timer.unref();
  return () => clearInterval(timer);
}
