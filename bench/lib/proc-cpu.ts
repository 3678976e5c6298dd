import { readdirSync, readFileSync } from 'node:fs';
import { groupMembers, TICKS_PER_SEC } from '../../harness/util/proc-cpu.ts';

export { cpuMsByGroup, machineBusyMs, selfCpuMs } from '../../harness/util/proc-cpu.ts';

/** Where a JVM's CPU went, by thread: the JIT compilers, the garbage collector, everything else. */
export interface ThreadSplit {
  jit: number;
  gc: number;
  other: number;
  /** Charged to exited children (JVMs that ran and ended, e.g. Elasticsearch's launcher JVMs). */
  exited: number;
}

export function threadKind(comm: string): keyof Omit<ThreadSplit, 'exited'> {
  if (/^C[12] CompilerThre|^C[12] Compiler|CompilerThread/.test(comm)) return 'jit';
  if (/^(GC Thread|G1 |VM Thread|GC |G1Refine|G1 Conc|G1 Main|G1 Service)/.test(comm)) return 'gc';
  return 'other';
}

/** CPU ms of each service split by thread kind (live threads of its live processes; exited children apart). */
export function cpuSplitByGroup(groups: Record<string, number | undefined>): Record<string, ThreadSplit> {
  const out: Record<string, ThreadSplit> = {};
  for (const [name, members] of Object.entries(groupMembers(groups))) {
    const split: ThreadSplit = { jit: 0, gc: 0, other: 0, exited: 0 };
    for (const p of members) {
      split.exited += p.childTicks;
      let tasks: string[] = [];
      try {
        tasks = readdirSync(`/proc/${p.pid}/task`);
      } catch {
        continue;
      }
      for (const t of tasks) {
        let stat: string;
        try {
          stat = readFileSync(`/proc/${p.pid}/task/${t}/stat`, 'utf8');
        } catch {
          continue;
        }
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        split[threadKind(comm)] += Number(f[11]) + Number(f[12]);
      }
    }
    for (const k of Object.keys(split) as (keyof ThreadSplit)[])
      split[k] = Math.round((split[k] * 1000) / TICKS_PER_SEC);
    out[name] = split;
  }
  return out;
}
