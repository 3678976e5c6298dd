/**
 * Pipeline throughput at saturation, commit → searchable (lib/saturate.ts), with no probe running. When the
 * probe measure ran in the same invocation, its probe-off runs are these runs (no need to repeat them).
 */
import { metric, sleep, type BenchContext, type Measure, type MeasureOutput } from '../lib/measure.ts';
import { saturate, saturationRows, type SaturationResult } from '../lib/saturate.ts';
import { median } from '../lib/stats.ts';

export const throughputMeasure: Measure = {
  name: 'throughput',
  title: 'pipeline throughput at saturation, commit → searchable',
  needsStack: true,
  async run(ctx: BenchContext): Promise<MeasureOutput> {
    const stack = await ctx.stacks.get();
    let runs = ctx.shared.get('saturation-off') as SaturationResult[] | undefined;
    const notes: string[] = [];
    if (runs) {
      notes.push("the probe measure's probe-off saturation runs of this invocation");
    } else {
      runs = [];
      const rows = saturationRows(ctx.quick);
      for (let i = 1; i <= ctx.runs; i++) {
        const r = await saturate(stack, { rows, label: 'no probe' });
        runs.push(r);
        ctx.log(
          `  saturation run ${i}: ${r.eventsPerSec ?? 'timed out'} events/s ` +
            `(steady ${r.steadyEventsPerSec ?? '—'}; source half ${r.sourceEventsPerSec ?? '—'}) ` +
            `over ${rows} rows; insert took ${r.insertMs} ms`,
        );
        await sleep(2000);
      }
    }
    const rows = runs[0]?.rows ?? 0;
    const cpuShare: Record<string, number> = {};
    for (const r of runs) {
      const total = Object.values(r.cpuMs).reduce((s, x) => s + x, 0);
      for (const [k, v] of Object.entries(r.cpuMs))
        cpuShare[k] = (cpuShare[k] ?? 0) + v / Math.max(1, total) / runs.length;
    }
    const cpuPerEventUs: Record<string, number> = {};
    for (const k of Object.keys(runs[0]?.cpuMs ?? {})) {
      cpuPerEventUs[k] = Math.round(median(runs.map((r) => ((r.cpuMs[k] ?? 0) * 1000) / r.rows)) ?? 0);
    }
    notes.push(
      `CPU per event (µs, median): ${Object.entries(cpuPerEventUs)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    const loads = runs.map((r) => r.load1).filter((x) => typeof x === 'number');
    return {
      metrics: [
        metric(
          'throughput.e2e',
          `pipeline throughput at saturation, commit → searchable (${rows.toLocaleString('en')} inserts)`,
          'events/s',
          runs.map((r) => r.eventsPerSec ?? NaN),
          undefined,
          undefined,
          loads,
        ),
        metric(
          'throughput.steady',
          '  steady pace (20 % → 80 % of the rows searchable)',
          'events/s',
          runs.map((r) => r.steadyEventsPerSec ?? NaN),
          undefined,
          undefined,
          loads,
        ),
        metric(
          'throughput.source',
          '  source half alone (commit → all events in Kafka)',
          'events/s',
          runs.map((r) => r.sourceEventsPerSec ?? NaN),
          undefined,
          undefined,
          loads,
        ),
        metric(
          'throughput.first',
          '  first row searchable after the first INSERT',
          's',
          runs.map((r) => (r.firstVisibleMs >= 0 ? r.firstVisibleMs / 1000 : NaN)),
          undefined,
          undefined,
          loads,
        ),
      ],
      details: { cpuShare, cpuPerEventUs, runs },
      notes,
    };
  },
};
