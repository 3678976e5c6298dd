import { writePrivate } from '../../util/private-files.ts';
import { join, relative } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { ConnectClient } from '../../connect/client.ts';
import type { Provider } from '../../provider/interface.ts';
import { createRunDir, markLogs, runIdFor, Timeline } from '../../record/run-dir.ts';
import { connectUrls } from '../../stack/endpoints.ts';
import { info } from '../../util/log.ts';
import { ProgressLine } from '../progress.ts';
import { describeSchedule, describeStep, pinnedScenario } from '../random-chaos.ts';
import type { RunOptions } from './options.ts';
import type { RunPlan } from './plan.ts';

/**
 * What every phase of one run reads: the plan, where the run records itself, and how it reaches the stack.
 * Nothing here is written once the run is open; what a phase produces, it returns to the runner.
 */
export interface RunContext {
  readonly o: RunOptions;
  /** The plan as made before anything changed; the register phase returns the definition as it runs. */
  readonly plan: RunPlan;
  readonly provider: Provider;
  readonly runId: string;
  readonly runDir: string;
  readonly startedAt: number;
  readonly timeline: Timeline;
  readonly logMarks: Map<string, number>;
  readonly progress: ProgressLine;
  readonly connect: ConnectClient;
  /** The command that replays this run exactly. */
  readonly replay: string;
  /** Aborts the phases: the caller's signal (Ctrl-C) or a service that went away (see RunControl). */
  readonly abort: AbortController;
}

/** Creates the run directory and its timeline, prints what runs, and pins a generated fault schedule. */
export function openRun(o: RunOptions, plan: RunPlan): RunContext {
  const { scenario, provider } = o;
  const { runId, dir: runDir } = createRunDir(runIdFor(scenario.name, plan.seed));
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
    abort: new AbortController(),
  };
  const { names, connectors } = plan;
  const workload = plan.hash ?? "from the tables' schema";
  info(`▸ run ${scenario.name} (seed ${plan.seed}, workload ${workload}) on ${provider.label} → ${runDir}`);
  if (plan.scoped)
    info(
      `  objects of this run: connectors ${connectors.source}, ${connectors.sink}; table ${names.table};` +
        ` publication ${names.publication}; slot ${names.slot}; index ${names.index};` +
        ` topics ${names.topicPrefix}.*`,
    );
  const pinned = o.faults || scenario.randomFaults ? { ...ctx, replay: pinSchedule(ctx) } : ctx;
  info(`  replay: ${pinned.replay}`);
  return pinned;
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
    `# ${o.scenario.name}, pinned: ${origin}\n` +
      `${toYaml(pinnedScenario(o.scenario, plan.profile, plan.seed, plan.schedule, origin))}`,
  );
  let replay = o.replay;
  if (o.faults)
    replay =
      `npx outbox-chaos run ${relative(process.cwd(), pinned) || pinned}` +
      `${o.connectorsDir ? ` --connectors ${o.connectorsDir}` : ''}`;
  ctx.timeline.record({ t: Date.now(), kind: 'note', message: `${origin}: ${describeSchedule(plan.schedule)}` });
  info(`  ${origin}:`);
  for (const s of plan.schedule) info(`    ${describeStep(s)}`);
  return `${replay}   # faults: ${describeSchedule(plan.schedule)}`;
}
