import { describe, expect, it } from 'vitest';
import type { TableModel } from '../model/table.ts';
import { indexReadingOf } from './mapping.ts';
import { readSource } from './normalise.ts';
import { column as col } from '../../test/fixtures/tables.ts';

// Arrays of json and of bytea, each element read as the field's mapping reads one value of its type (Debezium
// sends a jsonb[] as an array of JSON texts, a bytea[] as an array of base64 texts).
const EVENTS: TableModel = {
  name: 'events',
  key: ['id'],
  columns: [
    { ...col('id', { kind: 'int8' }), nullable: false },
    col('payloads', { kind: 'array', element: { kind: 'jsonb' } }),
    col('blobs', { kind: 'array', element: { kind: 'bytea' } }),
  ],
  foreignKeys: [],
  replicaIdentity: 'default',
};
const row = { id: 1, payloads: null, blobs: null };
const read = (properties: Record<string, unknown>, doc: Record<string, unknown>) =>
  readSource({ ...row, ...doc }, indexReadingOf({ properties }, [], EVENTS));

describe('an array of jsonb through the mapping', () => {
  it('a keyword holds each JSON text, compared as JSON (key order aside) with the row', () => {
    expect(read({ payloads: { type: 'keyword' } }, { payloads: ['{"b":1,"a":2}', null, '[1]'] })).toEqual({
      ok: true,
      row: { ...row, payloads: JSON.stringify(['{"a":2,"b":1}', null, '[1]']) },
    });
  });

  it('a string field rejects an object element; an element that is not JSON is no value', () => {
    expect(read({ payloads: { type: 'keyword' } }, { payloads: ['{}', { a: 1 }] })).toMatchObject({
      ok: false,
      field: 'payloads',
      reason: 'element 1: an object in a string field',
    });
    expect(read({ payloads: { type: 'text' } }, { payloads: ['{'] })).toMatchObject({
      ok: false,
      reason: /^element 0: not JSON/,
    });
  });

  it('an object field holds values, so a JSON text element is not the row’s JSON; a long holds none', () => {
    expect(read({ payloads: { type: 'flattened' } }, { payloads: [{ b: 1, a: 2 }] })).toEqual({
      ok: true,
      row: { ...row, payloads: JSON.stringify(['{"a":2,"b":1}']) },
    });
    const texts = read({ payloads: { type: 'flattened' } }, { payloads: ['{"a":2,"b":1}'] }) as {
      ok: boolean;
      row: Record<string, unknown>;
    };
    expect(texts.ok && texts.row['payloads']).not.toBe(JSON.stringify(['{"a":2,"b":1}']));
    expect(read({ payloads: { type: 'long' } }, { payloads: ['{}'] })).toMatchObject({
      ok: false,
      reason: /^element 0: payloads is mapped as long, which holds no JSON value/,
    });
  });
});

describe('an array of bytea through the mapping', () => {
  it('a binary field (or none) holds base64 elements only: Postgres hex text is no document value', () => {
    for (const props of [{ blobs: { type: 'binary' } }, {}]) {
      expect(read(props, { blobs: ['AAEC', null] })).toEqual({ ok: true, row: { ...row, blobs: '["AAEC",null]' } });
      expect(read(props, { blobs: ['AAEC', '\\x000102'] })).toMatchObject({
        ok: false,
        field: 'blobs',
        reason: /^element 1: not base64 text/,
      });
    }
  });

  it('a keyword holds each element as a term, up to its ignore_above', () => {
    expect(read({ blobs: { type: 'keyword' } }, { blobs: ['AAEC'] })).toMatchObject({ ok: true });
    expect(read({ blobs: { type: 'keyword', ignore_above: 3 } }, { blobs: ['AAEC'] })).toMatchObject({
      ok: false,
      reason: /^element 0: 4 UTF-16 units, over blobs's ignore_above 3/,
    });
  });
});
