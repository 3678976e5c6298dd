/**
 * The containers provider on the built image set, beside the local provider's figures: the image check with every
 * layer already built (what a run pays before it starts anything), the cold start (containers up, the pipeline
 * registered, both connectors RUNNING; the same end point as cold-start) and the reset between scenarios (the
 * same reset as `reset`, on the containers). Its own stack NAME-containers on port base + 800.
 * The build from nothing (~6 min, mostly debootstrap and apt) is not repeated here: docs/containers.md has it.
 */
import { loadDefinition, pipelineVars } from '../../harness/pipeline/definition.ts';
import { prepareStores, registerConnectors } from '../../harness/pipeline/lifecycle.ts';
import { freshRunNames } from '../../harness/pipeline/run-names.ts';
import { ensureBuiltImages } from '../../harness/provider/containers/image-build.ts';
import { startContainersProvider } from '../../harness/provider/containers/start.ts';
import type { Provider } from '../../harness/provider/interface.ts';
import { ensureEsSink } from '../../harness/provision/es-sink.ts';
import { cacheDir } from '../../harness/provision/paths.ts';
import { onInterrupt } from '../../harness/util/signals.ts';
import { load1, metric, type BenchContext, type Measure, type MeasureOutput } from '../lib/measure.ts';
import type { BenchStacks } from '../lib/stacks.ts';
import { resetMeasure } from './reset.ts';

const s = (ms: number): number => ms / 1000;

export const containersMeasure: Measure = {
  name: 'containers',
  title: 'containers provider (built images): image check, cold start → RUNNING, reset',
  needsStack: false,
  async run(ctx: BenchContext): Promise<MeasureOutput> {
    await ctx.stacks.stopOwned();
    const name = `${ctx.stacks.plan.name}-containers`;
    const portBase = ctx.stacks.plan.portBase + 800;
    const pluginDir = await ensureEsSink(cacheDir());
    let current: Provider | undefined;
    const off = onInterrupt(async () => {
      await current?.stop();
    });
    const checks: number[] = [];
    const starts: { totalMs: number; upMs: number; load1: number; stopMs: number }[] = [];
    let reset: MeasureOutput | undefined;
    try {
      // Builds what is missing first, so that the measured checks find every tag.
      await ensureBuiltImages({ cache: cacheDir(), log: (l) => ctx.log(`  ${l}`) });
      for (let i = 1; i <= ctx.runs; i++) {
        const t = Date.now();
        await ensureBuiltImages({ cache: cacheDir(), log: () => {} });
        checks.push(Date.now() - t);
      }
      // Run 0 warms the engine's page cache and is not counted, as in cold-start.
      for (let i = 0; i <= ctx.runs; i++) {
        const load = load1();
        const t0 = Date.now();
        current = await startContainersProvider({ portBase, pluginDir, stack: name, images: 'built', log: () => {} });
        const upMs = Date.now() - t0;
        const names = freshRunNames(false);
        const def = loadDefinition(undefined, pipelineVars(current.endpoints, names));
        await prepareStores(current.endpoints, def, names);
        await registerConnectors(current.endpoints, def);
        const totalMs = Date.now() - t0;
        const last = i === ctx.runs;
        if (last) {
          // The reset on the last stack, before it stops.
          const endpoints = current.endpoints;
          const stacks = { get: async () => ({ endpoints }) } as unknown as BenchStacks;
          reset = await resetMeasure.run({ ...ctx, stacks });
        }
        const ts = Date.now();
        await current.stop();
        current = undefined;
        if (i > 0) starts.push({ totalMs, upMs, load1: load, stopMs: Date.now() - ts });
        ctx.log(`  containers cold start ${i}${i ? '' : ' (warm-up)'}: ${s(totalMs).toFixed(1)} s`);
      }
    } finally {
      await current?.stop();
      off();
    }
    const resetTotal = reset?.metrics.find((m) => m.id === 'reset.total');
    return {
      metrics: [
        metric('containers.image-check', 'built images: check with every layer present', 's', checks.map(s)),
        metric(
          'containers.cold-start',
          'containers cold start (built images) → both connectors RUNNING',
          's',
          starts.map((r) => s(r.totalMs)),
          undefined,
          undefined,
          starts.map((r) => r.load1),
        ),
        metric(
          'containers.up',
          '  of which: containers up and answering',
          's',
          starts.map((r) => s(r.upMs)),
        ),
        metric(
          'containers.stop',
          'containers stop (every container and the network removed)',
          's',
          starts.map((r) => s(r.stopMs)),
        ),
        ...(resetTotal
          ? [metric('containers.reset', 'reset between scenarios on the containers', 's', resetTotal.samples)]
          : []),
      ],
      details: { stack: name, portBase, starts, reset: reset?.details },
    };
  },
};
