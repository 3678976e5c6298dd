import { describe, expect, it } from 'vitest';
import type { ProductRow } from '../record/history.ts';
import type { Column, TableModel } from '../model/table.ts';
import { DELETED, fingerprintColumns, fingerprintOf, fingerprintRow } from './fingerprint.ts';

const row = (r: Omit<ProductRow, 'product_id'>): ProductRow => ({ product_id: 1, ...r });

describe('fingerprintRow', () => {
  // Fingerprints are compared across processes and runs (the versions index, re-checks of a run directory): the
  // exact values are the contract, so any change to the words hashed, their order or the mixing shows here.
  it('gives each row its exact, fixed fingerprint', () => {
    const may = Date.UTC(2024, 4, 1, 10, 20, 30, 123);
    expect(fingerprintRow(row({ name: 'Café ☕', description: null, price: '19.90', created_at: may }))).toBe(
      4444590664028511,
    );
    // An odd-length text (its last word holds one code unit), and an instant before 1970.
    expect(fingerprintRow(row({ name: 'ab', description: 'odd', price: '-0.50', created_at: -1 }))).toBe(
      4972184779759351,
    );
    expect(fingerprintRow(row({ name: '', description: '', price: '0.00', created_at: null }))).toBe(6390205532014058);
    // An odd epoch above 2^52 ms (the year 144,683; Postgres goes to 294,276): its low word must stay exact.
    expect(fingerprintRow(row({ name: 'x', description: 'y', price: '1.00', created_at: 2 ** 52 + 1 }))).toBe(
      1348757895852256,
    );
  });

  it('does not depend on product_id (versions are looked up within one product)', () => {
    const r = row({ name: 'n', description: 'd', price: '1.00', created_at: 0 });
    expect(fingerprintRow({ ...r, product_id: 99 })).toBe(fingerprintRow(r));
  });

  it('keeps DELETED apart from every real fingerprint: it is negative, real ones are 53-bit non-negative', () => {
    expect(DELETED).toBeLessThan(0);
    const fp = fingerprintRow(row({ name: 'n', description: null, price: '0.00', created_at: null }));
    expect(fp).toBeGreaterThanOrEqual(0);
    expect(Number.isSafeInteger(fp)).toBe(true);
  });
});

describe('fingerprintColumns', () => {
  it('gives each row of a table its exact, fixed fingerprint (the same mixing as fingerprintRow)', () => {
    const f = fingerprintColumns(['a', 'b', 'c', 'd', 'e']);
    expect(f({ a: 'xyz', b: null, c: -1.5, d: true, e: false })).toBe(4478158218136163);
    expect(f({ a: '', b: 0, c: -0, d: 'ab', e: 2 ** 60 })).toBe(3695801432978068);
  });
});

describe('fingerprintOf a table other than products', () => {
  const col = (name: string, type: Column['type'], lossy?: string): Column => ({
    name,
    type,
    nullable: true,
    default: null,
    toastable: false,
    ...(lossy === undefined ? {} : { lossy }),
  });
  const table: TableModel = {
    name: 'notes',
    key: ['id'],
    columns: [
      col('id', { kind: 'int8' }),
      col('a', { kind: 'text' }),
      col('b', { kind: 'other', name: 'tsvector' }),
      col('c', { kind: 'text' }, 'not compared'),
      col('d', { kind: 'int4' }),
    ],
    foreignKeys: [],
    replicaIdentity: 'default',
  };

  it('hashes the compared columns other than the key, in table order, with one function per table', () => {
    const f = fingerprintOf(table);
    expect(fingerprintOf(table)).toBe(f);
    const row = { id: 1, a: 'x', b: "'x'", c: 'y', d: 2 };
    expect(f(row)).toBe(fingerprintColumns(['a', 'd'])(row));
    for (const change of [{ id: 2 }, { b: "'z'" }, { c: 'z' }]) expect(f({ ...row, ...change })).toBe(f(row));
    expect(f({ ...row, d: 3 })).not.toBe(f(row));
  });

  it('hashes an absent column as null', () => {
    const f = fingerprintColumns(['a', 'd']);
    expect(f({ a: 'x' })).toBe(f({ a: 'x', d: null }));
    expect(f({ a: 'x' })).not.toBe(f({ a: 'x', d: false }));
  });
});
