import { describe, expect, it } from 'vitest';
import type { Column, TableModel } from '../model/table.ts';
import { indexReadingOf } from './mapping.ts';
import { readSource, unexpectedFields } from './normalise.ts';

/** A column of a test table. */
export function col(name: string, type: Column['type'], nullable = true): Column {
  return { name, type, nullable, default: null, toastable: false };
}

describe('column names that are the reading’s own words', () => {
  const odd: TableModel = {
    name: 'odd',
    key: ['id'],
    columns: [
      col('id', { kind: 'int8' }, false),
      col('declared', { kind: 'text' }),
      col('table', { kind: 'text' }),
      col('columns', { kind: 'text' }),
      col('constructor', { kind: 'text' }),
    ],
    foreignKeys: [],
    replicaIdentity: 'default',
  };

  it('each is read by its own mapping, and is explained by the row', () => {
    const mapping = {
      properties: {
        declared: { type: 'keyword', ignore_above: 3 },
        table: { type: 'keyword', ignore_above: 3 },
        constructor: { type: 'keyword', ignore_above: 3 },
      },
    };
    const reading = indexReadingOf(mapping, [], odd);
    const source = { id: 1, declared: 'ab', table: 'cd', columns: 'a long one', constructor: 'ef' };
    expect(readSource(source, reading)).toEqual({ ok: true, row: source });
    expect(unexpectedFields(source, reading)).toEqual([]);
    for (const name of ['declared', 'table', 'constructor'])
      expect(readSource({ ...source, [name]: 'long' }, reading)).toMatchObject({ ok: false, field: name });
  });
});
