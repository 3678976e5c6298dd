import type { Provider, ServiceHandle } from '../../provider/interface.ts';
import { cpuMsByGroup, machineBusyMs, selfCpuMs } from '../../util/proc-cpu.ts';

/** CPU time used so far by each program (ms), read at `t` (epoch ms). */
export interface CpuSample {
  t: number;
  ms: Record<string, number>;
}

/** The whole machine's busy time, every process on it (neighbours too), beside the programs'. */
export const MACHINE = 'machine';

/** A cluster's members count as their program: kafka-1..3 are kafka, postgres-1..2 postgres. */
export const programOf = (member: string): string => member.replace(/-\d+$/, '');

/**
 * Cores each program used over the workload's window: the CPU time between the last sample at or before the
 * window's start and the first at or after its end, over that span. Null without two such samples (a window
 * the sampler did not cover, no window at all). The harness itself (the workload driver and the observers
 * share its process) is one of the programs, so a step whose driver gave out shows it.
 */
export function coresOverWindow(
  samples: readonly CpuSample[],
  window: { from: number; to: number } | null,
): Record<string, number> | null {
  if (!window) return null;
  const before = samples.filter((s) => s.t <= window.from).at(-1);
  const after = samples.find((s) => s.t >= window.to);
  if (!before || !after || after.t <= before.t) return null;
  const out: Record<string, number> = {};
  for (const [member, ms] of Object.entries(after.ms)) {
    const start = before.ms[member];
    // A member that was not there at the start (restarted, its pid new) has no comparable count.
    if (start === undefined || ms < start) continue;
    const p = programOf(member);
    out[p] = (out[p] ?? 0) + (ms - start) / (after.t - before.t);
  }
  for (const p of Object.keys(out)) out[p] = Math.round(out[p]! * 100) / 100;
  return out;
}

/**
 * "elasticsearch 0.92 · connect 0.41 · … (machine 1.90)", the busiest first; the machine's figure last, so a
 * step starved by neighbours shows it (the programs' sum well below the machine's).
 */
export function coresLine(cores: Record<string, number> | null): string {
  const programs = Object.entries(cores ?? {}).filter(([p]) => p !== MACHINE);
  if (programs.length === 0) return '—';
  const line = programs
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([p, c]) => `${p} ${c.toFixed(2)}`)
    .join(' · ');
  const machine = cores?.[MACHINE];
  return machine === undefined ? line : `${line} (machine ${machine.toFixed(2)})`;
}

/** A cluster's members, and the services it has one of (Elasticsearch); a single stack's services. */
export function handlesByMember(p: Pick<Provider, 'members' | 'services'>): Record<string, ServiceHandle | undefined> {
  const members: Record<string, ServiceHandle | undefined> = { ...p.members };
  const covered = new Set(Object.keys(members).map(programOf));
  for (const [name, h] of Object.entries(p.services)) if (!covered.has(name)) members[name] = h;
  return members;
}

/**
 * Samples every program's CPU time once a second while a step runs: the local provider's services (a
 * cluster's members) by their process groups, and this process. Providers without local pids (containers,
 * external) give only the harness's and the machine's figures.
 */
export function sampleCpu(provider: Provider, everyMs = 1000): { samples: CpuSample[]; stop: () => void } {
  const handles = handlesByMember(provider);
  const take = (): CpuSample => {
    // Only the services with a pid now: one without (another provider, a process down) has no figure, not 0.
    const groups = Object.fromEntries(
      Object.entries(handles).flatMap(([name, h]) => {
        const pid = h?.pid?.();
        return pid === undefined ? [] : [[name, pid]];
      }),
    );
    return { t: Date.now(), ms: { ...cpuMsByGroup(groups), harness: selfCpuMs(), [MACHINE]: machineBusyMs().busyMs } };
  };
  const samples = [take()];
  const timer = setInterval(() => samples.push(take()), everyMs);
  timer.unref();
  return {
    samples,
    stop: () => {
      clearInterval(timer);
      samples.push(take());
    },
  };
}
