import { describe, expect, it } from 'vitest';
import type { Row } from '../model/table.ts';
import { LEDGER } from '../../test/fixtures/ledger.ts';
import type { HistoryEntry, Outcome } from '../record/history.ts';
import { AppendCheck } from './appends.ts';
import { indexReadingOf } from './mapping.ts';

const READING = indexReadingOf(undefined, [], LEDGER);

let seq = 0;
/** One op on row `id`: its list and note after it, or a delete (null). */
function op(id: number, after: { tokens: string[]; note: string } | null, outcome: Outcome = 'ok'): HistoryEntry<Row> {
  const row = after && { id, tokens: JSON.stringify(after.tokens), note: after.note };
  return {
    seq: seq++,
    kind: after ? 'update' : 'delete',
    worker: 0,
    request: {},
    effects: [{ product_id: id, key: String(id), table: 'ledger', after: row }],
    sendMs: 0,
    ackMs: 0,
    outcome,
  };
}
const doc = (tokens: unknown, note: string): Record<string, unknown> => ({ id: 1, tokens, note });

/** Row 1: [a] "x", [a,b] "y", [a,b,c] "z". */
function threeVersions(): AppendCheck {
  const c = new AppendCheck(LEDGER);
  c.track(op(1, { tokens: ['a'], note: 'x' }));
  c.track(op(1, { tokens: ['a', 'b'], note: 'y' }));
  c.track(op(1, { tokens: ['a', 'b', 'c'], note: 'z' }));
  return c;
}

describe('AppendCheck', () => {
  it('passes every committed version shown in commit order, absent before the insert', () => {
    const c = threeVersions();
    expect(c.observe('1', undefined, 1, READING)).toBeUndefined();
    expect(c.observe('1', doc(['a'], 'x'), 2, READING)).toBeUndefined();
    expect(c.observe('1', doc(['a', 'b', 'c'], 'z'), 3, READING)).toBeUndefined();
    expect(c.observe('1', doc(['a', 'b', 'c'], 'z'), 4, READING)).toBeUndefined();
    // The absent one is judged (a document gone would be a regression) but is no document shown.
    expect(c.observations).toBe(3);
  });

  it.each([
    ['lost', ['a', 'c']],
    ['lost', ['b', 'c']],
    ['duplicated', ['a', 'b', 'b']],
    ['reordered', ['a', 'c', 'b']],
    ['foreign', ['a', 'q']],
  ] as const)('names a list no commit made: %s %j', (shape, list) => {
    const a = threeVersions().observe('1', doc(list, 'z'), 5, READING);
    expect(a).toMatchObject({ shape, key: '1', committed: ['a', 'b', 'c'], observed: list, t: 5 });
  });

  it('names a field that is not a list of strings as malformed', () => {
    expect(threeVersions().observe('1', doc('a,b', 'y'), 5, READING)).toMatchObject({
      shape: 'malformed',
      observed: '"a,b"',
    });
  });

  it('names a committed list beside another version fields as torn', () => {
    expect(threeVersions().observe('1', doc(['a', 'b'], 'z'), 5, READING)).toMatchObject({
      shape: 'torn',
      committed: ['a', 'b'],
    });
  });

  it('names an older version after a newer one as a regression, with what was shown before', () => {
    const c = threeVersions();
    c.observe('1', doc(['a', 'b', 'c'], 'z'), 10, READING);
    expect(c.observe('1', doc(['a', 'b'], 'y'), 11, READING)).toEqual({
      table: 'ledger',
      key: '1',
      shape: 'regressed',
      t: 11,
      committed: ['a', 'b', 'c'],
      observed: ['a', 'b'],
      before: { observed: ['a', 'b', 'c'], t: 10 },
    });
    // One anomaly per row: its first.
    expect(c.observe('1', doc(['a'], 'x'), 12, READING)).toBeUndefined();
  });

  it('a document gone while its row lives is a regression; gone after a delete is not', () => {
    const c = threeVersions();
    c.observe('1', doc(['a'], 'x'), 1, READING);
    expect(c.observe('1', undefined, 2, READING)?.shape).toBe('regressed');
    const d = threeVersions();
    d.track(op(1, null));
    d.track(op(1, { tokens: ['d'], note: 'w' }));
    d.observe('1', doc(['a', 'b', 'c'], 'z'), 1, READING);
    expect(d.observe('1', undefined, 2, READING)).toBeUndefined();
    expect(d.observe('1', doc(['d'], 'w'), 3, READING)).toBeUndefined();
    // The old incarnation after the new one, and a list judged against its own incarnation.
    expect(d.observe('1', doc(['a', 'b', 'c'], 'z'), 4, READING)?.shape).toBe('regressed');
    expect(threeVersionsThen(['d'], 'w').observe('1', doc(['a', 'c'], 'z'), 1, READING)).toMatchObject({
      shape: 'lost',
      committed: ['a', 'b', 'c'],
    });
  });

  it('a version whose commit was not acknowledged may be shown, with any fields', () => {
    const c = threeVersions();
    c.track(op(1, { tokens: ['a', 'b', 'c', 'u'], note: 'intended' }, 'unknown'));
    expect(c.observe('1', doc(['a', 'b', 'c', 'u'], 'server default'), 1, READING)).toBeUndefined();
  });

  it('a failed op adds no version: its list is lost', () => {
    const c = threeVersions();
    c.track(op(1, { tokens: ['a', 'b', 'c', 'f'], note: 'f' }, 'failed'));
    expect(c.observe('1', doc(['a', 'b', 'c', 'f'], 'f'), 1, READING)?.shape).toBe('foreign');
  });

  it('refuses a table without an append column', () => {
    expect(() => new AppendCheck({ ...LEDGER, append: undefined })).toThrow(/no append column/);
  });
});

function threeVersionsThen(list: string[], note: string): AppendCheck {
  const c = threeVersions();
  c.track(op(1, null));
  c.track(op(1, { tokens: list, note }));
  return c;
}
