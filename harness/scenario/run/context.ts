import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { ConnectClient } from '../../connect/client.ts';
import type { Provider } from '../../provider/interface.ts';
import { createRunDir, markLogs, runIdFor, Timeline } from '../../record/run-dir.ts';
import type { RunPhase } from '../../record/timeline.ts';
import { info } from '../../util/log.ts';
import { ProgressLine } from '../progress.ts';
import { describeSchedule, describeStep, pinnedScenario } from '../random-chaos.ts';
import type { RunOptions } from './options.ts';
import type { RunPlan } from './plan.ts';

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
    connect: new ConnectClient(provider.endpoints.connectUrl),
    replay: o.replay,
    notes: [],
  };
  const { names, connectors } = plan;
  info(`▸ run ${scenario.name} (seed ${plan.seed}, workload ${plan.hash}) on ${provider.label} → ${runDir}`);
  if (plan.scoped) info(`  objects of this run: connectors ${connectors.source}, ${connectors.sink}; table ${names.table}; publication ${names.publication}; slot ${names.slot}; index ${names.index}; topics ${names.topicPrefix}.*`);
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
  writeFileSync(pinned, `# ${o.scenario.name}, pinned: ${origin}\n${toYaml(pinnedScenario(o.scenario, plan.profile, plan.seed, plan.schedule, origin))}`);
  let replay = o.replay;
  if (o.faults) replay = `npx outbox-chaos run ${relative(process.cwd(), pinned) || pinned}${o.connectorsDir ? ` --connectors ${o.connectorsDir}` : ''}`;
  ctx.timeline.record({ t: Date.now(), kind: 'note', message: `${origin}: ${describeSchedule(plan.schedule)}` });
  info(`  ${origin}:`);
  for (const s of plan.schedule) info(`    ${describeStep(s)}`);
  return `${replay}   # faults: ${describeSchedule(plan.schedule)}`;
}

export function markPhase(ctx: RunContext, name: RunPhase): void {
  ctx.timeline.record({ t: Date.now(), kind: 'phase', name });
}

/** Marks the phase in the timeline, then runs it. */
export async function phase<T>(ctx: RunContext, name: RunPhase, fn: () => Promise<T>): Promise<T> {
  markPhase(ctx, name);
  return fn();
}
