import type { Nemesis } from '../../faults/nemesis.ts';

/** When the last fault healed (the convergence clock starts there), and the faults that failed to heal. */
export interface Healed {
  healedAt: number;
  notes: string[];
}

/** Heals every fault (a fault that fails to heal is noted); returns when the last one healed. */
export async function healAll(nemesis: Nemesis): Promise<Healed> {
  const healed = await nemesis.healAll();
  return { healedAt: Date.now(), notes: healed.filter((w) => w.error).map((w) => `fault ${w.id}: ${w.error}`) };
}
