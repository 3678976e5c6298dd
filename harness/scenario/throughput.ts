import type { Sample } from '../record/samples.ts';

type LagSample = Extract<Sample, { kind: 'consumer-lag' }>;

/**
 * Pipeline throughput (events/s the sink committed, i.e. wrote to Elasticsearch), from the consumer-lag
 * samples the run already recorded. While a backlog exists the pipeline runs flat out, so the rate over the
 * longest stretch with lag > 0 (at least `minWindowMs`) is its saturation throughput. Without such a
 * stretch the delivered rate over all samples is returned: that reflects the offered load, not capacity.
 */
export function pipelineThroughput(
  samples: readonly Sample[],
  minWindowMs = 5000,
): { eventsPerSec: number; saturated: boolean } | null {
  const lag = samples.filter((s): s is LagSample => s.kind === 'consumer-lag').sort((a, b) => a.t - b.t);
  if (lag.length < 2) return null;
  let best: { from: LagSample; to: LagSample } | undefined;
  let start: LagSample | undefined;
  for (const s of lag) {
    if (s.lag > 0) {
      start ??= s;
      if (s.t - start.t >= minWindowMs && (!best || s.t - start.t > best.to.t - best.from.t))
        best = { from: start, to: s };
    } else {
      start = undefined;
    }
  }
  const rate = (a: LagSample, b: LagSample): number => ((b.committed - a.committed) * 1000) / (b.t - a.t);
  if (best) return { eventsPerSec: Math.round(rate(best.from, best.to)), saturated: true };
  const first = lag[0];
  const last = lag[lag.length - 1];
  if (!first || !last || last.t === first.t) return null;
  return { eventsPerSec: Math.round(rate(first, last)), saturated: false };
}
