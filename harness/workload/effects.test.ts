import { describe, expect, it } from 'vitest';
import { committedEffects, intendedEffects, type Belief } from './effects.ts';
import type { Step } from './ops.ts';

const v = { name: 'a', description: 'd', price: '1.00' };
const row = (id: number, over = {}) => ({
  product_id: id,
  name: 'a',
  description: 'd',
  price: '1.00',
  created_at: 5,
  ...over,
});

describe('effects', () => {
  it('committed: RETURNING rows become effects; 0-row statements none, and beliefs follow the truth', () => {
    const beliefs = new Map<number, Belief>();
    const steps: Step[] = [
      { kind: 'insert', product_id: 1, values: v },
      { kind: 'update', product_id: 2, set: { price: '2.00' } },
      { kind: 'delete', product_id: 3 },
      { kind: 'reinsert', product_id: 4, values: v },
    ];
    beliefs.set(2, row(2));
    beliefs.set(3, row(3));
    const effects = committedEffects(
      steps,
      [
        { rows: [{ ...row(1), price: '1.00', created_at: '5' }], rowCount: 1 },
        { rows: [], rowCount: 0 },
        { rows: [{ product_id: 3 }], rowCount: 1 },
        { rows: [], rowCount: 0 },
      ],
      beliefs,
    );
    expect(effects).toEqual([
      { product_id: 1, after: row(1) },
      { product_id: 3, after: null },
    ]);
    expect(beliefs.get(1)).toEqual(row(1));
    expect(beliefs.has(2)).toBe(false); // the update found nothing
    expect(beliefs.has(3)).toBe(false);
    expect(beliefs.get(4)).toBe('unknown'); // conflict: exists, state unseen
  });

  it('intended: applies the steps to what the worker believes, created_at unknown for inserts', () => {
    const beliefs = new Map<number, Belief>([
      [2, row(2)],
      [4, 'unknown'],
    ]);
    const effects = intendedEffects(
      [
        { kind: 'insert', product_id: 1, values: v },
        { kind: 'update', product_id: 1, set: { price: '3.00' } },
        { kind: 'update', product_id: 2, set: { description: null } },
        { kind: 'update', product_id: 4, set: { price: '1.00' } },
        { kind: 'delete', product_id: 9 },
        { kind: 'reinsert', product_id: 2, values: v },
      ],
      beliefs,
    );
    expect(effects).toEqual([
      { product_id: 1, after: { product_id: 1, ...v, created_at: null } },
      { product_id: 1, after: { product_id: 1, ...v, price: '3.00', created_at: null } },
      { product_id: 2, after: row(2, { description: null }) },
    ]);
  });
});
