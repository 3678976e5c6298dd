import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FAILOVER_NOTE } from '../../faults/pg-failover.ts';
import type { Comparison } from '../../record/anomalies.ts';
import type { HistoryEntry } from '../../record/history.ts';
import { readJsonl } from '../../record/jsonl.ts';
import type { RunReport } from '../../record/report.ts';
import type { TimelineEvent } from '../../record/timeline.ts';

const TASK_MOVED = 'task moved:';
const clock = (ms: number): string => new Date(ms).toISOString().slice(11, 23);

/** The history entries a Postgres failover cut off from the stream, with where the cut lies and why. */
export interface FailoverGap {
  from: number;
  why: string;
  lost: HistoryEntry[];
}

/**
 * Where a failover cut the stream. A source task that FAILED because its offset is "no longer available on
 * the server" (the slot is missing on the promoted standby) streams nothing after the offset it last
 * recorded (its trace names that commit's timestamp): every change committed after it is lost until an
 * operator re-snapshots. A slot created anew on the new primary (a connector that does not check) skips
 * every change from the last recorded offset up to the slot's creation. Null when the run had no failover.
 */
export function failoverGap(
  timeline: readonly TimelineEvent[],
  history: readonly HistoryEntry[],
  connectors: RunReport['connectors'],
  source: string,
): FailoverGap | null {
  const start = timeline.find((e) => e.kind === 'fault-start' && e.fault === 'postgres.failover');
  if (!start) return null;
  const trace = connectors.find((c) => c.name === source)?.tasks.find((t) => t.state === 'FAILED')?.trace ?? '';
  const committed = history.filter((h) => h.outcome !== 'failed');
  if (/no longer available on the server/.test(trace)) {
    const ts = /timestamp=(\d{4}-\d\d-\d\dT[\d:.]+)Z/.exec(trace)?.[1];
    const from = ts ? Date.parse(`${ts.slice(0, 23)}Z`) : start.t;
    return {
      from,
      why:
        `the source task FAILED: its offset (last recorded commit at ${clock(from)}) ` +
        `is "no longer available on the server": the promoted standby has no slot ${'\u2014'} ` +
        `Postgres 15 does not replicate logical slots ${'\u2014'} ` +
        `and the connector refuses to stream from a slot it would have to create`,
      lost: committed.filter((h) => h.ackMs > from),
    };
  }
  const created = timeline.find(
    (e) => e.kind === 'note' && e.message.startsWith(`${FAILOVER_NOTE} slot`) && e.message.includes(' created on '),
  );
  if (!created) return null;
  return {
    from: start.t,
    why:
      `the connector created a new slot on the promoted standby at ${clock(created.t)} and went on from there: ` +
      `the changes in between were never streamed`,
    lost: committed.filter((h) => h.ackMs > start.t && h.sendMs < created.t),
  };
}

function describeGap(gap: FailoverGap, check: Comparison): string[] {
  const byKind = new Map<string, number>();
  for (const h of gap.lost) byKind.set(h.kind, (byKind.get(h.kind) ?? 0) + 1);
  const touched = new Set(gap.lost.flatMap((h) => h.effects.map((e) => e.product_id)));
  const named = gap.lost
    .slice(0, 15)
    .map(
      (h) => `#${h.seq} ${h.kind} ${[...new Set(h.effects.map((e) => e.product_id))].join('+')} at ${clock(h.ackMs)}`,
    );
  const examples = Object.values(check.examples)
    .flat()
    .map((a) => a.product_id);
  const explained = examples.filter((id) => touched.has(id)).length;
  return [
    `postgres failover: ${gap.why}.`,
    `lost in the failover: ${gap.lost.length} committed operation(s) after ${clock(gap.from)} ` +
      `(${[...byKind].map(([k, n]) => `${n} ${k}`).join(', ') || 'none'}) ` +
      `on ${touched.size} product(s) never reached Kafka: ${named.join('; ')}` +
      (gap.lost.length > named.length
        ? `; … (all in history.jsonl after seq ${gap.lost[named.length - 1]?.seq})`
        : '') +
      '.',
    `${explained} of the ${examples.length} anomaly example(s) below are products those lost operations changed.`,
  ];
}

/** What a cluster run adds to the report's notes: each task that moved between workers, and a failover's gap. */
export async function clusterNotes(
  runDir: string,
  timeline: readonly TimelineEvent[],
  check: Comparison,
  connectors: RunReport['connectors'],
  source: string,
): Promise<string[]> {
  const notes = timeline.flatMap((e) =>
    e.kind === 'note' && e.message.startsWith(TASK_MOVED)
      ? [`Connect failover: ${e.message.slice(TASK_MOVED.length).trim()}`]
      : [],
  );
  notes.push(
    ...timeline.flatMap((e) =>
      e.kind === 'note' && e.message.startsWith(FAILOVER_NOTE)
        ? [`postgres failover: ${e.message.slice(FAILOVER_NOTE.length).trim()}`]
        : [],
    ),
  );
  const file = join(runDir, 'history.jsonl');
  if (timeline.some((e) => e.kind === 'fault-start' && e.fault === 'postgres.failover') && existsSync(file)) {
    const gap = failoverGap(timeline, await readJsonl<HistoryEntry>(file), connectors, source);
    if (gap) notes.unshift(...describeGap(gap, check));
  }
  return notes;
}
