import { writePrivate } from '../../util/private-files.ts';
import { join, relative } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { ConnectClient } from '../../connect/client.ts';
import type { Nemesis } from '../../faults/nemesis.ts';
import type { Provider } from '../../provider/interface.ts';
import { createRunDir, markLogs, runIdFor, Timeline } from '../../record/run-dir.ts';
import type { RunPhase } from '../../record/timeline.ts';
import { connectUrls } from '../../stack/endpoints.ts';
import { info, warn } from '../../util/log.ts';
import { ProgressLine } from '../progress.ts';
import { describeSchedule, describeStep, pinnedScenario } from '../random-chaos.ts';
import { describeAbort, interruptible, RunInterrupted, type Interruption } from './interrupt.ts';
import type { RunOptions } from './options.ts';
import type { SinkChoice } from '../../pipeline/sink-compat.ts';
import type { RunPlan } from './plan.ts';
import type { EsDoc } from '../../record/anomalies.ts';

/** What every phase of one run shares: the plan, where the run records itself, and how it reaches the stack. */
export interface RunContext {
  o: RunOptions;
  plan: RunPlan;
  provider: Provider;
  runId: string;
  runDir: string;
  startedAt: number;
  timeline: Timeline;
  logMarks: Map<string, number>;
  progress: ProgressLine;
  connect: ConnectClient;
  /** The command that replays this run exactly. */
  replay: string;
  /** Things the report should say that are not anomalies (a fault that failed to heal, a failed warm-up). */
  notes: string[];
  /** Why the warm-up failed, when it did: a healthy expectation then fails. */
  warmUpFailure?: string;
  /** The phase now running. */
  phase: RunPhase;
  /** Aborts the phases: the caller's signal (Ctrl-C) or a service that went away. */
  abort: AbortController;
  interruption?: Interruption;
  /** The fault schedule once the workload started it, and whether every fault of it was healed. */
  nemesis?: Nemesis;
  healed: boolean;
  /** Which sink the definition asked for and which ran (set when the pipeline is registered). */
  sink?: SinkChoice;
  /** A few documents the index held when the warm-up looked (for the diagnosis of a pipeline that delivers nothing usable). */
  indexSample?: EsDoc[];
}

/** Creates the run directory and its timeline, prints what runs, and pins a generated fault schedule. */
export function openRun(o: RunOptions, plan: RunPlan): RunContext {
  const { scenario, provider } = o;
  const runId = runIdFor(scenario.name, plan.seed);
  const runDir = createRunDir(runId);
  const ctx: RunContext = {
    o,
    plan,
    provider,
    runId,
    runDir,
    startedAt: Date.now(),
    timeline: new Timeline(join(runDir, 'timeline.jsonl')),
    logMarks: provider.logsDir ? markLogs(provider.logsDir) : new Map<string, number>(),
    progress: new ProgressLine(),
    connect: new ConnectClient(connectUrls(provider.endpoints)),
    replay: o.replay,
    notes: [],
    phase: 'register',
    abort: new AbortController(),
    healed: false,
  };
  const { names, connectors } = plan;
  info(`▸ run ${scenario.name} (seed ${plan.seed}, workload ${plan.hash}) on ${provider.label} → ${runDir}`);
  if (plan.scoped)
    info(
      `  objects of this run: connectors ${connectors.source}, ${connectors.sink}; table ${names.table}; publication ${names.publication}; slot ${names.slot}; index ${names.index}; topics ${names.topicPrefix}.*`,
    );
  if (o.faults || scenario.randomFaults) ctx.replay = pinSchedule(ctx);
  info(`  replay: ${ctx.replay}`);
  return ctx;
}

/**
 * A generated or explicit schedule is printed, noted in the timeline, carried by the replay line, and pinned
 * in the run directory as scenario.yaml, which replays this exact schedule. Returns the replay line.
 */
function pinSchedule(ctx: RunContext): string {
  const { o, plan } = ctx;
  const pinned = join(ctx.runDir, 'scenario.yaml');
  const origin = o.faults ? 'explicit fault schedule (shrunk)' : `fault schedule generated from seed ${plan.seed}`;
  writePrivate(
    pinned,
    `# ${o.scenario.name}, pinned: ${origin}\n${toYaml(pinnedScenario(o.scenario, plan.profile, plan.seed, plan.schedule, origin))}`,
  );
  let replay = o.replay;
  if (o.faults)
    replay = `npx outbox-chaos run ${relative(process.cwd(), pinned) || pinned}${o.connectorsDir ? ` --connectors ${o.connectorsDir}` : ''}`;
  ctx.timeline.record({ t: Date.now(), kind: 'note', message: `${origin}: ${describeSchedule(plan.schedule)}` });
  info(`  ${origin}:`);
  for (const s of plan.schedule) info(`    ${describeStep(s)}`);
  return `${replay}   # faults: ${describeSchedule(plan.schedule)}`;
}

export function markPhase(ctx: RunContext, name: RunPhase): void {
  ctx.phase = name;
  ctx.timeline.record({ t: Date.now(), kind: 'phase', name });
}

/** Phases that always run to their end: the workload stops itself on the abort, heal and report must finish. */
const UNINTERRUPTIBLE: readonly RunPhase[] = ['workload', 'heal', 'report'];

/** Marks the phase in the timeline, then runs it; any other phase is skipped or abandoned once the run is interrupted. */
export async function phase<T>(ctx: RunContext, name: RunPhase, fn: () => Promise<T>): Promise<T> {
  const always = UNINTERRUPTIBLE.includes(name);
  if (ctx.interruption && !always) throw new RunInterrupted(ctx.interruption.reason);
  markPhase(ctx, name);
  return always ? fn() : interruptible(ctx.abort.signal, fn);
}

/**
 * Turns the caller's abort and the provider's word that a service went away into one interruption of the
 * run (the first one wins), noted in the timeline. Returns a function that stops watching.
 */
export function watchInterruptions(ctx: RunContext): () => void {
  const interrupt = (reason: string, failure?: Interruption['failure']): void => {
    if (ctx.interruption) return;
    ctx.interruption = { reason, during: ctx.phase, ...(failure ? { failure } : {}) };
    ctx.timeline.record({ t: Date.now(), kind: 'note', message: `interrupted during ${ctx.phase}: ${reason}` });
    ctx.progress.done();
    warn(
      `${failure ? 'service failure' : 'interrupted'} during ${ctx.phase}: ${reason}; healing every fault, then writing a partial report`,
    );
    ctx.abort.abort(reason);
  };
  const signal = ctx.o.signal;
  const onAbort = () => interrupt(describeAbort(signal?.reason));
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  const unwatch = ctx.provider.watch?.((f) => interrupt(f.message, f));
  return () => {
    signal?.removeEventListener('abort', onAbort);
    unwatch?.();
  };
}
