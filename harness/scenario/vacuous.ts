import { EVIDENCE, type Evidence } from '../faults/kind.ts';
import { FAULT_KINDS } from '../faults/registry.ts';
import type { FaultWindow } from '../record/timeline.ts';

/** A fault whose kind's evidence was not all seen: the run it was in proves nothing about it. */
export interface VacuousFault {
  id: string;
  fault: string;
  target: string;
  start: number;
  /** Each declared sign not seen, with what was seen instead (or that nothing looked). */
  missing: { sign: Evidence; how: string }[];
}

const declared = new Map(FAULT_KINDS.map((k) => [k.kind, k.evidence]));

/**
 * The faults of a run that left no evidence: every sign its kind declares (faults/kind.ts) must have been
 * seen during its window. A fault that failed to start looked for nothing, and counts too: it changed nothing.
 * Kinds this build does not know (an old report) are not judged.
 */
export function vacuousFaults(windows: readonly FaultWindow[]): VacuousFault[] {
  const out: VacuousFault[] = [];
  for (const w of windows) {
    const signs = declared.get(w.fault);
    if (!signs) continue;
    const missing = signs.flatMap((sign) => {
      const e = w.evidence?.find((x) => x.sign === sign);
      if (e?.seen) return [];
      return [{ sign, how: e?.how ?? `nothing looked for it (${EVIDENCE[sign]})` }];
    });
    if (missing.length) out.push({ id: w.id, fault: w.fault, target: w.target, start: w.start, missing });
  }
  return out;
}

/** The judge's reason for one, e.g. "vacuous: es-outage#1 (network.down on es) at +35.2 s left no evidence (…)". */
export function vacuousReason(v: VacuousFault, runStart: number): string {
  const at = ((v.start - runStart) / 1000).toFixed(1);
  const what = v.missing.map((m) => `no ${m.sign}: ${m.how}`).join('; ');
  return `vacuous: ${v.id} (${v.fault} on ${v.target}) at +${at} s left no evidence (${what})`;
}
