/** Events written to `timeline.jsonl`: phases of the run, fault windows, operator actions. `t` is epoch ms. */
export type TimelineEvent =
  | { t: number; kind: 'phase'; name: RunPhase }
  | { t: number; kind: 'fault-start'; id: string; fault: string; target: string; detail?: string }
  | { t: number; kind: 'fault-heal'; id: string; fault: string; target: string; detail?: string }
  /** Something an operator had to do for the pipeline to recover (e.g. restart a FAILED sink task). */
  | { t: number; kind: 'operator'; action: string; reason: string }
  | { t: number; kind: 'note'; message: string };

export type RunPhase =
  | 'up'
  | 'register'
  | 'warm-up'
  | 'workload'
  | 'heal'
  | 'quiesce'
  | 'check'
  | 'report'
  | 'done';

/** A closed fault window derived from the timeline (heal missing → still open at `end` = run end). */
export interface FaultWindow {
  id: string;
  fault: string;
  target: string;
  start: number;
  end: number;
  detail?: string;
}
