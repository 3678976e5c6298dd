import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SEC = 100; // USER_HZ on Linux

/**
 * CPU time (user + system, ms) used so far by every live process in each process group, plus what their
 * exited children were charged. Each stack service runs in its own process group led by its tracked pid,
 * so this covers Elasticsearch's launcher and server JVMs and every Postgres backend alike.
 */
export function cpuMsByGroup(groups: Record<string, number | undefined>): Record<string, number> {
  const wanted = new Map<number, string>();
  for (const [name, pgid] of Object.entries(groups)) if (pgid !== undefined) wanted.set(pgid, name);
  const out: Record<string, number> = {};
  for (const name of Object.keys(groups)) out[name] = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after "(comm) ": state(3) ppid(4) pgrp(5) ... utime(14) stime(15) cutime(16) cstime(17).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pgrp = Number(rest[2]);
    const name = wanted.get(pgrp);
    if (name === undefined) continue;
    const ticks = Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]);
    out[name] = (out[name] ?? 0) + (ticks * 1000) / TICKS_PER_SEC;
  }
  return out;
}

/** This process's own CPU time in ms. */
export function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Whole-machine busy CPU time in ms (all cores) from /proc/stat, to see what the neighbours used. */
export function machineBusyMs(): { busyMs: number; totalMs: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.reduce((s, x) => s + x, 0);
  return { busyMs: ((total - idle) * 1000) / TICKS_PER_SEC, totalMs: (total * 1000) / TICKS_PER_SEC };
}
