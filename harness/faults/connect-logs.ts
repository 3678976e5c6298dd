import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { FaultContext } from './fault.ts';

/** The Connect workers' log files (a cluster's members too); a container's logs are not files here. */
export function connectLogs(ctx: FaultContext): string[] {
  const handles = [
    ctx.services?.connect,
    ...Object.entries(ctx.members ?? {}).map(([m, h]) => m.startsWith('connect') && h),
  ];
  return [...new Set(handles.flatMap((h) => (h && existsSync(h.where) ? [h.where] : [])))];
}

export const sizeOf = (f: string): number => statSync(f).size;

/** What a log file holds from `offset` on (at most 64 MB): what was written after a mark. */
export function readFrom(file: string, offset: number): string {
  const len = Math.max(0, Math.min(sizeOf(file) - offset, 64 * 1024 * 1024));
  const buf = Buffer.alloc(len);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buf, 0, len, offset);
  } finally {
    closeSync(fd);
  }
  return buf.toString('utf8');
}

/** Where each Connect log ends now: what the fault's effects write comes after. */
export function markLogs(ctx: FaultContext): Map<string, number> {
  return new Map(connectLogs(ctx).map((f) => [f, sizeOf(f)]));
}
