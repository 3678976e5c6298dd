import { killStackSurvivors, stackSurvivors } from '../../harness/provider/local-stack.ts';
import { loadNow } from './machine.ts';
import type { BenchContext } from './measure.ts';
import { cpuMsByGroup, cpuSplitByGroup, machineBusyMs, type ThreadSplit } from './proc-cpu.ts';
import { startPeer, type PeerRun } from './peer-stack.ts';

export interface PeerColdStart extends PeerRun {
  run: number;
  load1: number;
  cpuSplit: Record<string, ThreadSplit>;
  machineBusyMs: number;
  stopMs: number;
  leftovers?: string;
}

/** One stock start of the peer stack, measured like ours, then stopped (and checked: nothing survives). */
export async function peerRun(
  name: string,
  portBase: number,
  i: number,
  ctx: BenchContext,
  onStarted: (stop: () => Promise<void>) => void,
): Promise<PeerColdStart> {
  const load1 = loadNow().load[0];
  const steps: PeerRun['steps'] = [];
  const busy0 = machineBusyMs();
  const t0 = Date.now();
  const peer = await startPeer(name, portBase, t0, steps);
  onStarted(peer.stop);
  const totalMs = Date.now() - t0;
  const busy1 = machineBusyMs();
  const pids = Object.fromEntries(Object.entries(peer.services).map(([k, s]) => [k, s.pid]));
  const cpu = cpuMsByGroup(pids);
  cpu.kafka = (cpu.kafka ?? 0) + peer.formatCpuMs;
  const split = cpuSplitByGroup(pids);
  const t = Date.now();
  await peer.stop();
  const stopMs = Date.now() - t;
  const left = stackSurvivors(name);
  let leftovers: string | undefined;
  if (left.length) {
    await killStackSurvivors(name);
    leftovers = `peer stack "${name}" left ${left.length} process(es) after stop(): ${left.join(', ')} (killed)`;
    process.stderr.write(`warning: ${leftovers}\n`);
  }
  const cpuMs = Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, Math.round(v)]));
  ctx.log(
    `  peer (stock) start ${i}: ${(totalMs / 1000).toFixed(1)} s (load ${load1}); CPU s: ${Object.entries(cpuMs)
      .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`)
      .join(', ')}`,
  );
  return {
    run: i,
    load1,
    totalMs,
    steps,
    cpuMs,
    cpuSplit: split,
    machineBusyMs: Math.round(busy1.busyMs - busy0.busyMs),
    stopMs,
    ...(leftovers ? { leftovers } : {}),
  };
}
