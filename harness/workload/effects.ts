/**
 * Row effects of a group of steps: read from RETURNING when the commit was acknowledged, or derived from what
 * the worker believes each row looks like when the outcome is unknown ("what was intended"). A worker owns its
 * ids exclusively, so its beliefs are exact as long as every op was ok or failed; after an unknown op they
 * assume it committed, until the next ok op on that id returns the truth.
 */
import type { Effect, ProductRow } from '../record/history.ts';
import type { Step } from './ops.ts';
import { toProductRow } from './sql.ts';

/** A row the worker believes exists: its state, or 'unknown' when only its existence is known. */
export type Belief = ProductRow | 'unknown';

export interface StepResult {
  rows: Record<string, unknown>[];
  rowCount: number | null;
}

/** Effects of an acknowledged commit; updates `beliefs` to the truth. */
export function committedEffects(steps: Step[], results: StepResult[], beliefs: Map<number, Belief>): Effect[] {
  const effects: Effect[] = [];
  steps.forEach((step, i) => {
    const row = results[i]?.rows[0];
    const id = step.product_id;
    if (step.kind === 'delete') {
      beliefs.delete(id);
      if (row) effects.push({ product_id: id, after: null });
      return;
    }
    if (row) {
      const after = toProductRow(row);
      beliefs.set(id, after);
      effects.push({ product_id: after.product_id, after });
    } else if (step.kind === 'update') {
      beliefs.delete(id); // 0 rows: it does not exist
    } else if (!beliefs.has(id)) {
      beliefs.set(id, 'unknown'); // ON CONFLICT DO NOTHING: it exists, in a state we did not see
    }
  });
  return effects;
}

/** Intended effects of an op whose commit was not acknowledged; updates `beliefs` as if it committed. */
export function intendedEffects(steps: Step[], beliefs: Map<number, Belief>): Effect[] {
  const effects: Effect[] = [];
  for (const step of steps) {
    const id = step.product_id;
    const before = beliefs.get(id);
    switch (step.kind) {
      case 'insert':
      case 'reinsert': {
        if (before !== undefined) break; // would meet ON CONFLICT DO NOTHING
        // created_at comes from the server's clock (DEFAULT CURRENT_TIMESTAMP); unknown without the answer.
        const after: ProductRow = { product_id: id, ...step.values, created_at: null };
        beliefs.set(id, after);
        effects.push({ product_id: id, after });
        break;
      }
      case 'update': {
        if (before === undefined || before === 'unknown') break; // 0 rows, or a base state we cannot know
        const after: ProductRow = { ...before, ...step.set };
        beliefs.set(id, after);
        effects.push({ product_id: id, after });
        break;
      }
      case 'delete':
        if (before === undefined) break;
        beliefs.delete(id);
        effects.push({ product_id: id, after: null });
        break;
    }
  }
  return effects;
}
