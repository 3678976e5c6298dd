/**
 * Cold start with a warm artifact cache: `bringUp` (what `outbox-chaos up` does) from nothing running to both
 * connectors RUNNING, on the benchmark's own stack name and port block. Each run is split into the harness's
 * steps (from the step lines it prints), the programs' own start-up milestones (from their logs) and the CPU
 * each program burnt on the way, which is what bounds a start on two shared cores.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bringUp } from '../../harness/provider/open.ts';
import type { Stack } from '../../harness/provider/local-stack.ts';
import { onInterrupt } from '../../harness/util/signals.ts';
import { loadNow } from '../lib/machine.ts';
import { metric, withPeer, type BenchContext, type Measure, type MeasureOutput } from '../lib/measure.ts';
import { criticalPath, type Segment } from '../lib/critical-path.ts';
import { stackMilestones } from '../lib/milestones.ts';
import { peerRun, type PeerColdStart } from '../lib/peer-run.ts';
import { cpuMsByGroup, cpuSplitByGroup, machineBusyMs, type ThreadSplit } from '../lib/proc-cpu.ts';
import { stopAndVerify } from '../lib/stacks.ts';
import { recordSteps } from '../lib/steps.ts';

const run = promisify(execFile);

export interface ColdStartRun {
  run: number;
  totalMs: number;
  provisionMs: number;
  load1: number;
  /** Harness steps, ms from the start of bringUp. */
  steps: { name: string; startMs: number; endMs: number }[];
  /** Programs' own milestones, ms from the start of bringUp. */
  milestones: { service: string; what: string; atMs: number; value?: number }[];
  /** CPU ms each program used from its spawn until both connectors ran. */
  cpuMs: Record<string, number>;
  /** The same, by thread kind (JIT compilers, GC, the rest; exited children such as launcher JVMs apart). */
  cpuSplit: Record<string, ThreadSplit>;
  /** What decided when both connectors ran. */
  criticalPath: Segment[];
  /** CPU ms the whole machine used meanwhile (both cores), ours and the neighbours'. */
  machineBusyMs: number;
  stopMs: number;
  leftovers?: string;
}

export async function oneStart(
  name: string,
  portBase: number,
  i: number,
  ctx: BenchContext,
  topology?: 'single' | 'cluster',
): Promise<{ detail: ColdStartRun; stack: Stack }> {
  const load1 = loadNow().load[0];
  const rec = recordSteps();
  const busy0 = machineBusyMs();
  const t0 = Date.now();
  let stack: Stack;
  try {
    stack = await bringUp({ name, portBase, ...(topology ? { topology } : {}) });
  } finally {
    rec.stop();
  }
  const totalMs = Date.now() - t0;
  const busy1 = machineBusyMs();
  const pids = Object.fromEntries(Object.entries(stack.services).map(([k, s]) => [k, s.pid]));
  const cpu = cpuMsByGroup(pids);
  const steps = rec.spans().map((s) => ({ name: s.name, startMs: s.startMs - t0, endMs: s.endMs - t0 }));
  const milestones = stackMilestones(stack.dir, t0).map((m) => ({
    service: m.service,
    what: m.what,
    atMs: m.t - t0,
    ...(m.value !== undefined ? { value: m.value } : {}),
  }));
  const detail: ColdStartRun = {
    run: i,
    totalMs,
    provisionMs: stack.timings.provisionMs,
    load1,
    steps,
    milestones,
    cpuMs: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, Math.round(v)])),
    cpuSplit: cpuSplitByGroup(pids),
    criticalPath: criticalPath(steps, milestones),
    machineBusyMs: Math.round(busy1.busyMs - busy0.busyMs),
    stopMs: 0,
  };
  ctx.log(
    `  cold start ${i}: ${(totalMs / 1000).toFixed(1)} s (load ${load1}); CPU s: ${Object.entries(detail.cpuMs)
      .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`)
      .join(', ')}`,
  );
  return { detail, stack };
}

/** JVM start-up on its own: a bare `java -version`, and Kafka's StorageTool format (run on every `up`). */
async function jvmProbe(stack: Stack): Promise<{ javaVersionMs: number; storageFormatMs: number }> {
  const java = stack.artifacts.kafkaJdk.java;
  let t = Date.now();
  await run(java, ['-version']);
  const javaVersionMs = Date.now() - t;
  const dir = mkdtempSync(join(tmpdir(), 'oc-bench-kfmt-'));
  try {
    const props = join(dir, 'server.properties');
    writeFileSync(
      props,
      [
        'process.roles=broker,controller',
        'node.id=1',
        'controller.quorum.voters=1@127.0.0.1:18899',
        'listeners=PLAINTEXT://127.0.0.1:18898,CONTROLLER://127.0.0.1:18899',
        'controller.listener.names=CONTROLLER',
        `log.dirs=${join(dir, 'data')}`,
        '',
      ].join('\n'),
    );
    t = Date.now();
    await run(java, [
      '-cp',
      `${stack.artifacts.kafkaLib}/*`,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      'q1Sh-9_ISia_zwGINzRvyQ',
      '-c',
      props,
    ]);
    return { javaVersionMs, storageFormatMs: Date.now() - t };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface ColdStartOptions {
  /** Leave the last started stack running (for development; stop it with `outbox-chaos down --name …`). */
  keep: boolean;
  /** Skip the discarded warm-up start when no stack was started before in this invocation. */
  warmup: boolean;
  /** Measure the stock peer in the same runs (interleaved with ours). */
  peer: boolean;
}

const SERVICES = ['elasticsearch', 'connect', 'kafka', 'postgres', 'toxiproxy'] as const;
const sum = (r: Record<string, number>): number => Object.values(r).reduce((a, b) => a + b, 0);

export function coldStartMeasure(opts: ColdStartOptions): Measure {
  return {
    name: 'cold-start',
    title: 'stack cold start (warm artifact cache) → both connectors RUNNING, and its stock peer',
    needsStack: false,
    async run(ctx: BenchContext): Promise<MeasureOutput> {
      const notes: string[] = [];
      // The shared stack has served the other measures; it must not run while starts are timed.
      const warmedBy = ctx.stacks.ownedStartMs;
      await ctx.stacks.stopOwned();
      let name = ctx.stacks.plan.name;
      let portBase = ctx.stacks.plan.portBase;
      if (ctx.stacks.reused()) {
        name = `${name}-cold`;
        portBase += 100;
        notes.push(
          `a reused stack (--reuse ${ctx.stacks.plan.reuse}) kept running during the cold starts: ` +
            'they are slower than on a quiet machine',
        );
      }
      const peerName = `${ctx.stacks.plan.name}-peer`;
      const peerBase = ctx.stacks.plan.portBase + 200;
      let current: Stack | undefined;
      let stopPeer: (() => Promise<void>) | undefined;
      const off = onInterrupt(async () => {
        await current?.stop();
        await stopPeer?.();
      });
      const details: ColdStartRun[] = [];
      const peers: PeerColdStart[] = [];
      let warmupMs: number | undefined = warmedBy;
      let jvm: { javaVersionMs: number; storageFormatMs: number } | undefined;
      try {
        if (warmedBy === undefined && !ctx.stacks.startedAny && opts.warmup) {
          ctx.log('  cold start: warm-up start (page cache; not counted)');
          const w = await oneStart(name, portBase, 0, ctx);
          current = w.stack;
          warmupMs = w.detail.totalMs;
          await stopAndVerify(w.stack);
          current = undefined;
        }
        // Ours and the peer alternate, so both see the same machine (load, page cache) over the runs.
        for (let i = 1; i <= ctx.runs; i++) {
          const r = await oneStart(name, portBase, i, ctx);
          current = r.stack;
          if (i === ctx.runs) jvm = await jvmProbe(r.stack).catch(() => undefined);
          if (i === ctx.runs && opts.keep) {
            notes.push(
              `stack "${name}" left running (--keep): stop it with \`node bin/outbox-chaos.mjs down --name ${name}\``,
            );
          } else {
            const t = Date.now();
            const left = await stopAndVerify(r.stack);
            r.detail.stopMs = Date.now() - t;
            if (left) r.detail.leftovers = left;
          }
          current = undefined;
          details.push(r.detail);
          if (opts.peer) peers.push(await peerRun(peerName, peerBase, i, ctx, (stop) => (stopPeer = stop)));
          stopPeer = undefined;
        }
      } catch (err) {
        if (current) await stopAndVerify(current);
        await stopPeer?.();
        throw err;
      } finally {
        off();
      }
      const stepMs = (d: ColdStartRun, step: string): number => {
        const s = d.steps.find((x) => x.name === step || x.name.startsWith(`${step} (`));
        return s ? s.endMs - s.startMs : NaN;
      };
      const s = (ms: number): number => ms / 1000;
      const loads = details.map((d) => d.load1);
      const peerTotal = metric(
        'cold-start.peer.total',
        'peer: the same programs started the stock way, one after another → RUNNING',
        's',
        peers.map((p) => s(p.totalMs)),
        undefined,
        undefined,
        peers.map((p) => p.load1),
      );
      const peerCpu = metric(
        'cold-start.peer.cpu',
        'peer: CPU-seconds burnt by the programs',
        's',
        peers.map((p) => s(sum(p.cpuMs))),
      );
      let total = metric(
        'cold-start.total',
        'stack cold start → both connectors RUNNING',
        's',
        details.map((d) => s(d.totalMs)),
        { kind: 'max', value: 12 },
        undefined,
        loads,
      );
      let cpu = metric(
        'cold-start.cpu',
        'CPU-seconds burnt by the programs during a cold start',
        's',
        details.map((d) => s(sum(d.cpuMs))),
        { kind: 'max', value: 22 },
        undefined,
        loads,
      );
      if (peers.length) {
        total = withPeer(total, peerTotal, 0.5);
        cpu = withPeer(cpu, peerCpu, 0.5);
      }
      return {
        metrics: [
          total,
          metric(
            'cold-start.kafka',
            '  of which: Kafka broker start',
            's',
            details.map((d) => s(stepMs(d, 'kafka'))),
          ),
          metric(
            'cold-start.connect',
            '  of which: Connect worker start',
            's',
            details.map((d) => s(stepMs(d, 'connect'))),
          ),
          metric(
            'cold-start.es-wait',
            '  of which: waiting for Elasticsearch after Connect',
            's',
            details.map((d) => s(stepMs(d, 'elasticsearch'))),
          ),
          metric(
            'cold-start.register',
            '  of which: register both connectors → RUNNING',
            's',
            details.map((d) => s(stepMs(d, 'register pipeline'))),
          ),
          cpu,
          ...SERVICES.map((svc) =>
            metric(
              `cold-start.cpu.${svc}`,
              `  of which: ${svc}`,
              's',
              details.map((d) => s(d.cpuMs[svc] ?? 0)),
            ),
          ),
          ...(peers.length
            ? [
                peerTotal,
                peerCpu,
                ...SERVICES.map((svc) =>
                  metric(
                    `cold-start.peer.cpu.${svc}`,
                    `  peer, of which: ${svc}`,
                    's',
                    peers.map((p) => s(p.cpuMs[svc] ?? 0)),
                  ),
                ),
              ]
            : []),
        ],
        details: {
          stack: name,
          portBase,
          peer: opts.peer ? { stack: peerName, portBase: peerBase } : null,
          warmupMs: warmupMs ?? null,
          warmupSource:
            warmedBy !== undefined ? 'the shared bench stack' : warmupMs !== undefined ? 'a discarded start' : 'none',
          jvm,
          runs: details,
          peerRuns: peers,
        },
        notes,
      };
    },
  };
}
