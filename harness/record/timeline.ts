/** Events written to `timeline.jsonl`: phases of the run, fault windows, operator actions. `t` is epoch ms. */
export type TimelineEvent =
  | { t: number; kind: 'phase'; name: RunPhase }
  | { t: number; kind: 'fault-start'; id: string; fault: string; target: string; detail?: string }
  | { t: number; kind: 'fault-heal'; id: string; fault: string; target: string; detail?: string }
  /** Something an operator had to do for the pipeline to recover (e.g. restart a FAILED sink task). */
  | { t: number; kind: 'operator'; action: string; reason: string }
  | { t: number; kind: 'note'; message: string };

export type RunPhase = 'up' | 'register' | 'warm-up' | 'workload' | 'heal' | 'quiesce' | 'check' | 'report' | 'done';

/** A closed fault window derived from the timeline (heal missing → still open at `end` = run end). */
export interface FaultWindow {
  id: string;
  fault: string;
  target: string;
  start: number;
  end: number;
  detail?: string;
}

/**
 * Pairs each `fault-start` with the next `fault-heal` of the same id. A start that never healed stays open
 * until `runEnd` (the run crashed or the heal phase never ran); a heal without a start is ignored. An id that
 * starts again after healing opens a new window. Result is ordered by start time.
 */
export function faultWindows(events: readonly TimelineEvent[], runEnd: number): FaultWindow[] {
  // Stable sort by time: timeline.jsonl is appended by concurrent writers and may be slightly out of order.
  const ordered = events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.t - b.e.t || a.i - b.i)
    .map(({ e }) => e);

  const open = new Map<string, FaultWindow>();
  const closed: FaultWindow[] = [];
  for (const e of ordered) {
    if (e.kind === 'fault-start') {
      const prev = open.get(e.id);
      // A second start without a heal in between: close the first where the second begins.
      if (prev) closed.push({ ...prev, end: e.t });
      const w: FaultWindow = { id: e.id, fault: e.fault, target: e.target, start: e.t, end: runEnd };
      if (e.detail !== undefined) w.detail = e.detail;
      open.set(e.id, w);
    } else if (e.kind === 'fault-heal') {
      const w = open.get(e.id);
      if (!w) continue;
      open.delete(e.id);
      if (w.detail === undefined && e.detail !== undefined) w.detail = e.detail;
      closed.push({ ...w, end: e.t });
    }
  }
  for (const w of open.values()) closed.push({ ...w, end: Math.max(runEnd, w.start) });
  return closed.sort((a, b) => a.start - b.start || a.end - b.end);
}
