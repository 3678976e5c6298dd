/**
 * Row effects of the table workload, like products' (../effects.ts): from RETURNING when the commit was
 * acknowledged, or what each step intended when the outcome is unknown, from the worker's beliefs. A worker owns
 * its shards, so its beliefs are exact while every op is ok or failed.
 */
import { appended } from '../../model/append.ts';
import { isComputed, type Row, type TableModel, type Value } from '../../model/table.ts';
import type { Effect } from '../../record/history.ts';
import type { StepResult } from '../effects.ts';
import { defaultIntent } from './defaults.ts';
import type { SqlParam, TableStep } from './ops.ts';
import type { TableStatements } from './statements.ts';
import { intentOf } from './values.ts';

/** A row the worker believes exists: its state, or 'unknown' when only its existence is known. */
export type TableBelief = Row | 'unknown';

/** Beliefs of one worker, keyed by table and key. */
export type TableBeliefs = Map<string, TableBelief>;

const beliefKey = (step: TableStep): string => `${step.table}\u0000${step.key}`;

/** The effect of a row of `model`: product_id is the key when it is one integer column, else -1. */
export function tableEffect(model: TableModel, key: string, after: Row | null): Effect<Row> {
  const only = model.key.length === 1 ? model.columns.find((c) => c.name === model.key[0]) : undefined;
  const integer = only !== undefined && ['int2', 'int4', 'int8'].includes(only.type.kind);
  return { product_id: integer ? Number(key) : -1, key, table: model.name, after };
}

/** Effects of an acknowledged commit; updates `beliefs` to the truth. */
export function committedTableEffects(
  steps: readonly TableStep[],
  results: readonly StepResult[],
  beliefs: TableBeliefs,
  statements: TableStatements,
): Effect<Row>[] {
  const effects: Effect<Row>[] = [];
  steps.forEach((step, i) => {
    const raw = results[i]?.rows[0];
    const model = statements.model(step.table);
    const b = beliefKey(step);
    if (step.kind === 'delete') {
      beliefs.delete(b);
      if (raw) effects.push(tableEffect(model, step.key, null));
      return;
    }
    if (raw) {
      const after = statements.normalise(step.table, raw);
      beliefs.set(b, after);
      effects.push(tableEffect(model, step.key, after));
    } else if (step.kind === 'update') {
      beliefs.delete(b); // 0 rows: it does not exist
    } else if (!beliefs.has(b)) {
      beliefs.set(b, 'unknown'); // ON CONFLICT DO NOTHING: it exists, in a state we did not see
    }
  });
  return effects;
}

/**
 * Intended effects of an op whose commit was not acknowledged; updates `beliefs` as if it committed. A column an
 * insert left to its default has the default's value when it is a constant, else null (as products' created_at:
 * the checker accepts the server's value there for an unknown-outcome insert).
 */
export function intendedTableEffects(
  steps: readonly TableStep[],
  beliefs: TableBeliefs,
  statements: TableStatements,
): Effect<Row>[] {
  const effects: Effect<Row>[] = [];
  for (const step of steps) {
    const model = statements.model(step.table);
    const b = beliefKey(step);
    const before = beliefs.get(b);
    switch (step.kind) {
      case 'insert':
      case 'reinsert': {
        if (before !== undefined) break; // would meet ON CONFLICT DO NOTHING
        const after: Record<string, Value> = {};
        for (const c of model.columns) {
          if (c.lossy !== undefined) continue;
          if (c.name === model.append) after[c.name] = appended(undefined, String(step.values[c.name]));
          else
            after[c.name] = Object.hasOwn(step.values, c.name)
              ? intent(model, c.name, step.values[c.name]!)
              : (defaultIntent(c) ?? null);
        }
        beliefs.set(b, after);
        effects.push(tableEffect(model, step.key, after));
        break;
      }
      case 'update': {
        if (before === undefined || before === 'unknown') break; // 0 rows, or a base state we cannot know
        const after: Record<string, Value> = { ...before };
        for (const [name, v] of Object.entries(step.set))
          after[name] = name === model.append ? appended(before[name], String(v)) : intent(model, name, v);
        // What Postgres computes from the new values is not known here: recorded as the server's (null), as an
        // insert's defaults are.
        for (const c of model.columns) if (isComputed(model, c)) after[c.name] = null;
        beliefs.set(b, after);
        effects.push(tableEffect(model, step.key, after));
        break;
      }
      case 'delete':
        if (before === undefined) break;
        beliefs.delete(b);
        effects.push(tableEffect(model, step.key, null));
        break;
    }
  }
  return effects;
}

function intent(model: TableModel, name: string, v: SqlParam): Value {
  const column = model.columns.find((c) => c.name === name);
  const out = column === undefined ? undefined : intentOf(column, v);
  if (out === undefined) throw new Error(`${model.name}.${name}: ${JSON.stringify(v)} is not a value of the column`);
  return out;
}
