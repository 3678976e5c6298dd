/**
 * CPU time of a stack's programs, read from Linux's /proc: what the bench and the capacity search charge to
 * each service (its process group and every descendant of its leader).
 */
import { readdirSync, readFileSync } from 'node:fs';

export const TICKS_PER_SEC = 100; // USER_HZ on Linux

export interface Proc {
  pid: number;
  ppid: number;
  pgrp: number;
  /** utime + stime + cutime + cstime, in ticks. */
  ticks: number;
  /** cutime + cstime alone (exited, waited-for children). */
  childTicks: number;
}

function processTable(): Proc[] {
  const out: Proc[] = [];
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
    out.push({
      pid: Number(entry),
      ppid: Number(rest[1]),
      pgrp: Number(rest[2]),
      ticks: Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]),
      childTicks: Number(rest[13]) + Number(rest[14]),
    });
  }
  return out;
}

/** Every live process of each service: its process group and every descendant of its leader. */
export function groupMembers(groups: Record<string, number | undefined>): Record<string, Proc[]> {
  const table = processTable();
  const children = new Map<number, Proc[]>();
  for (const p of table) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const out: Record<string, Proc[]> = {};
  for (const [name, leader] of Object.entries(groups)) {
    out[name] = [];
    if (leader === undefined) continue;
    const members = new Map<number, Proc>();
    for (const p of table) if (p.pgrp === leader || p.pid === leader) members.set(p.pid, p);
    const queue = [...members.values()];
    while (queue.length) {
      const p = queue.pop()!;
      for (const c of children.get(p.pid) ?? []) {
        if (members.has(c.pid)) continue;
        members.set(c.pid, c);
        queue.push(c);
      }
    }
    out[name] = [...members.values()];
  }
  return out;
}

/**
 * CPU time (user + system, ms) used so far by each service: its process group and every descendant of its
 * leader (Postgres backends call setsid(), so they leave the group but stay children of the postmaster),
 * plus what their exited children were charged. Covers Elasticsearch's launcher and server JVMs, and every
 * Postgres backend including Debezium's walsender.
 */
export function cpuMsByGroup(groups: Record<string, number | undefined>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, members] of Object.entries(groupMembers(groups)))
    out[name] = (members.reduce((s, p) => s + p.ticks, 0) * 1000) / TICKS_PER_SEC;
  return out;
}

/** Whole-machine busy CPU time in ms (all cores) from /proc/stat, to see what the neighbours used. */
export function machineBusyMs(): { busyMs: number; totalMs: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  const total = f.reduce((s, x) => s + x, 0);
  return { busyMs: ((total - idle) * 1000) / TICKS_PER_SEC, totalMs: (total * 1000) / TICKS_PER_SEC };
}

/** This process's own CPU time in ms. */
export function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
