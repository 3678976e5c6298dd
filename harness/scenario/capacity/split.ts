import { summariseLag } from '../../record/lag-summary.ts';
import type { LagSummary } from '../../record/report.ts';
import type { Sample } from '../../record/samples.ts';

/** One lag-probe marker's way through the pipeline: harness clock, epoch ms. */
export interface MarkerHops {
  seq: number;
  /** Postgres acknowledged the marker's commit. */
  commitAt: number;
  /** The marker's record was read from the sink's input topic. */
  kafkaAt: number;
  /** A search showed the marker (or a later one). */
  visibleAt: number;
  /** commit → in Kafka: Postgres, the slot, Debezium, the Kafka producer. */
  sourceMs: number;
  /** in Kafka → searchable: the sink's consumer, the sink, Elasticsearch's refresh. */
  sinkMs: number;
}

type Of<K extends Sample['kind']> = Extract<Sample, { kind: K }>;

/** The time of the first sample (in time order) whose `seqOf` reaches `seq`, for ascending seqs. */
function firstReaching(sorted: readonly Of<'probe'>[], seqOf: (p: Of<'probe'>) => number) {
  let i = 0;
  let best = 0; // highest seq reached by samples[0..i)
  return (seq: number): number | undefined => {
    while (best < seq && i < sorted.length) best = Math.max(best, seqOf(sorted[i++]!));
    return best >= seq ? sorted[i - 1]!.t : undefined;
  };
}

/**
 * Splits each marker's end-to-end lag at the moment it was read from Kafka. Its commit time is exact where
 * the probe recorded an e2e-lag sample for it (seen − lag), else the first probe sample with committedSeq ≥ seq;
 * its visible time likewise (the e2e-lag sample's time, else the first probe sample with visibleSeq ≥ seq).
 * A marker missing any of the three times is left out. Negative hops (clock reads a few ms apart) count as 0.
 */
export function splitMarkers(samples: readonly Sample[]): MarkerHops[] {
  const kafka = new Map<number, number>();
  const e2e = new Map<number, Of<'e2e-lag'>>();
  const probes: Of<'probe'>[] = [];
  for (const s of samples) {
    if (s.kind === 'probe-kafka') kafka.set(s.seq, Math.min(kafka.get(s.seq) ?? Infinity, s.t));
    else if (s.kind === 'e2e-lag' && !e2e.has(s.seq)) e2e.set(s.seq, s);
    else if (s.kind === 'probe') probes.push(s);
  }
  probes.sort((a, b) => a.t - b.t);
  const committed = firstReaching(probes, (p) => p.committedSeq);
  const visible = firstReaching(probes, (p) => p.visibleSeq);
  const out: MarkerHops[] = [];
  for (const seq of [...kafka.keys()].sort((a, b) => a - b)) {
    const kafkaAt = kafka.get(seq)!;
    const exact = e2e.get(seq);
    const commitAt = exact ? exact.t - exact.lagMs : committed(seq);
    const visibleAt = exact ? exact.t : visible(seq);
    if (commitAt === undefined || visibleAt === undefined) continue;
    out.push({
      seq,
      commitAt,
      kafkaAt,
      visibleAt,
      sourceMs: Math.max(0, kafkaAt - commitAt),
      sinkMs: Math.max(0, visibleAt - kafkaAt),
    });
  }
  return out;
}

export interface HopSummary {
  markers: number;
  source: LagSummary;
  sink: LagSummary;
}

/** p50/p99 of each hop over the markers committed within [from, to]. */
export function summariseHops(markers: readonly MarkerHops[], from = -Infinity, to = Infinity): HopSummary {
  const within = markers.filter((m) => m.commitAt >= from && m.commitAt <= to);
  return {
    markers: within.length,
    source: summariseLag(within.map((m) => m.sourceMs)),
    sink: summariseLag(within.map((m) => m.sinkMs)),
  };
}
