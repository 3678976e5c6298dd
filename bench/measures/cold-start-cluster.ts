/**
 * Cold start of the cluster topology (three brokers, two Connect workers, a Postgres primary and standby,
 * Elasticsearch, Toxiproxy) → both connectors RUNNING, on its own stack NAME-cluster (port base + 600, a
 * 41-port block). CPU per program as in cold-start.
 */
import type { Stack } from '../../harness/provider/local-stack.ts';
import { onInterrupt } from '../../harness/util/signals.ts';
import { metric, type BenchContext, type Measure, type MeasureOutput } from '../lib/measure.ts';
import { stopAndVerify } from '../lib/stacks.ts';
import { oneStart, type ColdStartRun } from './cold-start.ts';

export const coldStartClusterMeasure: Measure = {
  name: 'cold-start-cluster',
  title: 'cluster topology cold start (warm artifact cache) → both connectors RUNNING',
  needsStack: false,
  async run(ctx: BenchContext): Promise<MeasureOutput> {
    await ctx.stacks.stopOwned();
    const name = `${ctx.stacks.plan.name}-cluster`;
    const portBase = ctx.stacks.plan.portBase + 600;
    let current: Stack | undefined;
    const off = onInterrupt(async () => {
      await current?.stop();
    });
    const runs: ColdStartRun[] = [];
    try {
      for (let i = 0; i <= ctx.runs; i++) {
        const r = await oneStart(name, portBase, i, ctx, 'cluster');
        current = r.stack;
        const t = Date.now();
        const left = await stopAndVerify(r.stack);
        r.detail.stopMs = Date.now() - t;
        if (left) r.detail.leftovers = left;
        current = undefined;
        if (i > 0) runs.push(r.detail); // run 0 warms the page cache (and records what a first start records)
      }
    } finally {
      if (current) await stopAndVerify(current);
      off();
    }
    const s = (ms: number): number => ms / 1000;
    const cpu = (d: ColdStartRun): number => Object.values(d.cpuMs).reduce((a, b) => a + b, 0);
    return {
      metrics: [
        metric(
          'cold-start-cluster.total',
          'cluster topology cold start → both connectors RUNNING',
          's',
          runs.map((d) => s(d.totalMs)),
          { kind: 'max', value: 30 },
          undefined,
          runs.map((d) => d.load1),
        ),
        metric(
          'cold-start-cluster.cpu',
          '  CPU-seconds burnt by its programs',
          's',
          runs.map((d) => s(cpu(d))),
        ),
      ],
      details: { stack: name, portBase, runs },
    };
  },
};
