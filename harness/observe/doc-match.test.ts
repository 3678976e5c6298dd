import { describe, expect, it } from 'vitest';
import type { ProductRow } from '../record/history.ts';
import { docMatches } from './doc-match.ts';

const row: ProductRow = { product_id: 7, name: 'Lamp', description: null, price: '19.90', created_at: 1 };

describe('docMatches', () => {
  it('normalises price and description the way the checker does', () => {
    expect(docMatches({ product_id: 7, name: 'Lamp', price: '19.9' }, row)).toBe(true);
    expect(docMatches({ product_id: 7, name: 'Lamp', description: null, price: 19.9 }, row)).toBe(true);
    expect(docMatches({ name: 'Lamp', price: '19.900' }, row)).toBe(true);
    expect(docMatches({ name: 'Lamp', price: '19.99' }, row)).toBe(false);
    expect(docMatches({ name: 'Lamp', price: 'B88=' }, row)).toBe(false);
    expect(docMatches({ name: 'Lamp', price: '19.90', description: '' }, row)).toBe(false);
    expect(docMatches({ name: 'Lamp ', price: '19.90' }, row)).toBe(false);
    expect(docMatches({ name: 'Lamp', price: '19.90', created_at: 999 }, row)).toBe(true); // not compared
  });

  it('a delete is visible when the document is gone', () => {
    expect(docMatches(undefined, null)).toBe(true);
    expect(docMatches({ name: 'Lamp', price: '19.90' }, null)).toBe(false);
    expect(docMatches(undefined, row)).toBe(false);
  });
});
