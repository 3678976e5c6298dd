/** Events written to `timeline.jsonl`: phases of the run, fault windows, operator actions. `t` is epoch ms. */
export type TimelineEvent =
  | { t: number; kind: 'phase'; name: RunPhase }
  | { t: number; kind: 'fault-start'; id: string; fault: string; target: string; detail?: string }
  | { t: number; kind: 'fault-heal'; id: string; fault: string; target: string; detail?: string }
  /** A sign that the fault took effect, looked for while it was on (or just after): seen or not, and how. */
  | { t: number; kind: 'fault-evidence'; id: string; sign: string; seen: boolean; how: string }
  /** Something an operator had to do for the pipeline to recover (e.g. restart a FAILED sink task). */
  | { t: number; kind: 'operator'; action: string; reason: string }
  | { t: number; kind: 'note'; message: string };

export type RunPhase = 'up' | 'register' | 'warm-up' | 'workload' | 'heal' | 'quiesce' | 'check' | 'report' | 'done';

/** One sign a fault's kind declares, as its fault looked for it (docs/fault-evidence.md). */
export interface SignSeen {
  sign: string;
  seen: boolean;
  /** What was seen, or why the sign is missing, in words. */
  how: string;
}

/** A closed fault window derived from the timeline (heal missing → still open at `end` = run end). */
export interface FaultWindow {
  id: string;
  fault: string;
  target: string;
  start: number;
  end: number;
  detail?: string;
  /** The signs looked for during this window (a sign seen once stays seen). */
  evidence?: SignSeen[];
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
  // Evidence may be recorded just after the heal: it goes to the last window of its id.
  const last = new Map<string, FaultWindow>();
  for (const e of ordered) {
    if (e.kind === 'fault-evidence') {
      const w = open.get(e.id) ?? last.get(e.id);
      if (!w) continue;
      // Seen once is seen: a later look that missed it does not undo that.
      if (w.evidence?.some((x) => x.sign === e.sign && x.seen && !e.seen)) continue;
      const seen: SignSeen = { sign: e.sign, seen: e.seen, how: e.how };
      w.evidence = [...(w.evidence ?? []).filter((x) => x.sign !== e.sign), seen];
      continue;
    }
    if (e.kind === 'fault-start') {
      const prev = open.get(e.id);
      // A second start without a heal in between: close the first where the second begins.
      if (prev) {
        prev.end = e.t;
        closed.push(prev);
      }
      const w: FaultWindow = { id: e.id, fault: e.fault, target: e.target, start: e.t, end: runEnd };
      if (e.detail !== undefined) w.detail = e.detail;
      open.set(e.id, w);
      last.set(e.id, w);
    } else if (e.kind === 'fault-heal') {
      const w = open.get(e.id);
      if (!w) continue;
      open.delete(e.id);
      if (w.detail === undefined && e.detail !== undefined) w.detail = e.detail;
      w.end = e.t;
      closed.push(w);
    }
  }
  for (const w of open.values()) {
    w.end = Math.max(runEnd, w.start);
    closed.push(w);
  }
  return closed.sort((a, b) => a.start - b.start || a.end - b.end);
}
