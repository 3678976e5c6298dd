/**
 * What each start-up lever gives: cold starts with every lever on, then with one lever off at a time
 * (through the switches the harness reads), interleaved run by run so that load drifts hit every variant
 * alike. Each variant's median wall time and program CPU, and its difference to "all levers on".
 */
import { bringUp } from '../../harness/provider/open.ts';
import type { Stack } from '../../harness/provider/local-stack.ts';
import { onInterrupt } from '../../harness/util/signals.ts';
import { loadNow } from '../lib/machine.ts';
import { metric, type BenchContext, type Measure, type MeasureOutput, type Metric } from '../lib/measure.ts';
import { cpuMsByGroup } from '../lib/proc-cpu.ts';
import { stopAndVerify } from '../lib/stacks.ts';
import { median } from '../lib/stats.ts';

interface Variant {
  id: string;
  label: string;
  /** Environment the harness reads while this variant starts. */
  env: Record<string, string>;
}

export const VARIANTS: Variant[] = [
  { id: 'all', label: 'every lever on (as `up` starts now)', env: {} },
  {
    id: 'no-es-direct',
    label: 'without: Elasticsearch started as its server JVM (bin/elasticsearch instead)',
    env: { OUTBOX_CHAOS_ES_LAUNCHER: '1' },
  },
  {
    id: 'no-jvm-archives',
    label: 'without: class-data archives / AOT caches for Kafka and Connect',
    env: { OUTBOX_CHAOS_JVM_ARCHIVES: '0' },
  },
  {
    id: 'no-es-options',
    label: 'without: the Elasticsearch JVM options for a test node',
    env: { OUTBOX_CHAOS_ES_TUNING: '0' },
  },
];

interface LeverRun {
  variant: string;
  run: number;
  load1: number;
  totalMs: number;
  cpuMs: Record<string, number>;
}

async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

export const leversMeasure: Measure = {
  name: 'levers',
  title: 'cold start with each start-up lever off in turn (what each lever gives)',
  needsStack: false,
  async run(ctx: BenchContext): Promise<MeasureOutput> {
    await ctx.stacks.stopOwned();
    const name = `${ctx.stacks.plan.name}-levers`;
    const portBase = ctx.stacks.plan.portBase + 500;
    let current: Stack | undefined;
    const off = onInterrupt(async () => {
      await current?.stop();
    });
    const runs: LeverRun[] = [];
    try {
      // One discarded start per variant first: a variant's first start records or trains what it caches.
      for (let i = 0; i <= ctx.runs; i++) {
        for (const v of VARIANTS) {
          const load1 = loadNow().load[0];
          const t0 = Date.now();
          const stack = await withEnv(v.env, () => bringUp({ name, portBase }));
          current = stack;
          const totalMs = Date.now() - t0;
          const cpu = cpuMsByGroup(Object.fromEntries(Object.entries(stack.services).map(([k, s]) => [k, s.pid])));
          await stopAndVerify(stack);
          current = undefined;
          const cpuMs = Object.fromEntries(Object.entries(cpu).map(([k, x]) => [k, Math.round(x)]));
          ctx.log(
            `  levers ${v.id} ${i === 0 ? 'warm-up' : `run ${i}`}: ${(totalMs / 1000).toFixed(1)} s, ` +
              `CPU ${(Object.values(cpuMs).reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s (load ${load1})`,
          );
          if (i > 0) runs.push({ variant: v.id, run: i, load1, totalMs, cpuMs });
        }
      }
    } finally {
      if (current) await stopAndVerify(current);
      off();
    }
    const s = (ms: number): number => ms / 1000;
    const of = (id: string) => runs.filter((r) => r.variant === id);
    const cpuOf = (r: LeverRun): number => Object.values(r.cpuMs).reduce((a, b) => a + b, 0);
    const base = { total: median(of('all').map((r) => r.totalMs)) ?? NaN, cpu: median(of('all').map(cpuOf)) ?? NaN };
    const metrics: Metric[] = [];
    for (const v of VARIANTS) {
      const rs = of(v.id);
      const t = median(rs.map((r) => r.totalMs)) ?? NaN;
      const c = median(rs.map(cpuOf)) ?? NaN;
      const delta =
        v.id === 'all'
          ? undefined
          : `the lever gives ${s(t - base.total).toFixed(1)} s of wall time, ${s(c - base.cpu).toFixed(1)} CPU-s`;
      metrics.push(
        metric(
          `levers.${v.id}.total`,
          `${v.label}: → RUNNING`,
          's',
          rs.map((r) => s(r.totalMs)),
          undefined,
          delta,
          rs.map((r) => r.load1),
        ),
      );
      metrics.push(
        metric(
          `levers.${v.id}.cpu`,
          `  ${v.id}: program CPU`,
          's',
          rs.map((r) => s(cpuOf(r))),
        ),
      );
    }
    return { metrics, details: { stack: name, portBase, variants: VARIANTS, runs } };
  },
};
