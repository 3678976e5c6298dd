import { describe, expect, it } from 'vitest';
import { fillStatement } from './postgres-faults.ts';

describe('postgres.sql placeholders', () => {
  const names = { table: 'products_x1', slot: 'slot_x1' };

  it('quotes ${TABLE} as an identifier, with a suffix that names a partition after it', () => {
    expect(fillStatement('ALTER TABLE ${TABLE} ADD COLUMN n text', names)).toBe(
      'ALTER TABLE "products_x1" ADD COLUMN n text',
    );
    expect(fillStatement('ALTER TABLE ${TABLE} DETACH PARTITION ${TABLE}_p3;', names)).toBe(
      'ALTER TABLE "products_x1" DETACH PARTITION "products_x1_p3";',
    );
  });

  it('gives ${SLOT} as a string literal', () => {
    expect(fillStatement('SELECT pg_drop_replication_slot(${SLOT})', names)).toBe(
      "SELECT pg_drop_replication_slot('slot_x1')",
    );
  });
});
