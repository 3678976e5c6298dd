/**
 * Reset between two scenarios on a running cluster (three brokers, two Connect workers, a primary and its
 * standby): the same reset as `reset` measures (the runner's own), on a cluster stack NAME-cluster (port base
 * + 600, as cold-start-cluster), started for it and stopped after. Goal: 5 s, as the issue asks of the cluster.
 */
import { bringUp } from '../../harness/provider/open.ts';
import type { Stack } from '../../harness/provider/local-stack.ts';
import { onInterrupt } from '../../harness/util/signals.ts';
import type { BenchStacks } from '../lib/stacks.ts';
import { stopAndVerify } from '../lib/stacks.ts';
import { metric, type BenchContext, type Measure, type MeasureOutput } from '../lib/measure.ts';
import { resetMeasure } from './reset.ts';

export const resetClusterMeasure: Measure = {
  name: 'reset-cluster',
  title: 'reset between two scenarios on a running cluster stack',
  needsStack: false,
  async run(ctx: BenchContext): Promise<MeasureOutput> {
    const name = `${ctx.stacks.plan.name}-cluster`;
    let stack: Stack | undefined;
    const off = onInterrupt(async () => {
      await stack?.stop();
    });
    try {
      stack = await bringUp({ name, portBase: ctx.stacks.plan.portBase + 600, topology: 'cluster' });
      const cluster = stack;
      const out = await resetMeasure.run({ ...ctx, stacks: { get: async () => cluster } as unknown as BenchStacks });
      return {
        ...out,
        metrics: out.metrics.map((m) => {
          const id = m.id.replace(/^reset\./, 'reset-cluster.');
          if (m.id !== 'reset.total') return { ...m, id };
          const again = metric(
            id,
            'reset between scenarios on the cluster (reset + prepare + register → RUNNING)',
            m.unit,
            m.samples,
            { kind: 'max', value: 5 },
            m.note,
          );
          return { ...again, ...(m.load1 !== undefined ? { load1: m.load1 } : {}) };
        }),
        details: { stack: name, ...(out.details as object) },
      };
    } finally {
      if (stack) await stopAndVerify(stack);
      off();
    }
  },
};
