import { describe, expect, it } from 'vitest';
import type { Row } from '../model/table.ts';
import { LEDGER } from '../../test/fixtures/ledger.ts';
import type { Effect, HistoryEntry, Outcome } from '../record/history.ts';
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

/** An op with the given effect fields (no table: the one table of a history that names none). */
function effect(fields: Effect<Row>): HistoryEntry<Row> {
  return { ...op(1, { tokens: ['a'], note: 'x' }), effects: [fields] };
}

/** Row 1 in four versions: [a] "x", deleted, [b] "y", deleted. */
function twoIncarnations(): AppendCheck {
  const c = new AppendCheck(LEDGER);
  c.track(op(1, { tokens: ['a'], note: 'x' }));
  c.track(op(1, null));
  c.track(op(1, { tokens: ['b'], note: 'y' }));
  c.track(op(1, null));
  return c;
}

describe('AppendCheck: what it tracks', () => {
  const after = { id: 1, tokens: '["a"]', note: 'x' };

  it('tracks effects of its table, or of no named table, and only those with a key', () => {
    const c = new AppendCheck(LEDGER);
    c.track(effect({ product_id: 1, key: '1', table: 'audit', after }));
    c.track(effect({ product_id: 2, table: 'ledger', after }));
    expect(c.rowCount).toBe(0);
    c.track(effect({ product_id: 1, key: '1', after }));
    expect(c.rowCount).toBe(1);
    expect(c.observe('1', doc(['a'], 'x'), 1, READING)).toBeUndefined();
    expect(c.observe('1', doc(['b'], 'x'), 2, READING)?.shape).toBe('foreign');
  });

  it('normalises a row read in another form (the key as text, a column left out)', () => {
    const c = new AppendCheck(LEDGER);
    c.track(effect({ product_id: 1, key: '1', after: { id: '1', tokens: '["a"]' } }));
    expect(c.observe('1', { id: 1, tokens: ['a'], note: null }, 1, READING)).toBeUndefined();
  });

  it('refuses a history row without a list, or one it cannot read', () => {
    const c = new AppendCheck(LEDGER);
    expect(() => c.track(effect({ product_id: 1, key: '1', after: { id: 1, tokens: 'a,b', note: 'x' } }))).toThrow(
      /^history op #\d+: ledger 1 has no list in tokens$/,
    );
    expect(() => c.track(effect({ product_id: 2, key: '2', after: { id: 'two', tokens: '[]', note: 'x' } }))).toThrow(
      /^history op #\d+: ledger 2 has no list in tokens$/,
    );
    // A row refused has no version to judge a document by.
    expect(c.observe('1', doc(['a'], 'x'), 1, READING)).toBeUndefined();
  });
});

describe('AppendCheck: the edges of a judgement', () => {
  it('a document without the field is malformed, shown as undefined', () => {
    expect(threeVersions().observe('1', { id: 1, note: 'x' }, 1, READING)).toMatchObject({
      shape: 'malformed',
      observed: 'undefined',
    });
  });

  it('a finding other than a regression names no version shown before', () => {
    const c = threeVersions();
    c.observe('1', doc(['a'], 'x'), 1, READING);
    expect(c.observe('1', doc(['a', 'a'], 'x'), 2, READING)).toEqual({
      table: 'ledger',
      key: '1',
      shape: 'duplicated',
      t: 2,
      committed: ['a', 'b', 'c'],
      observed: ['a', 'a'],
    });
  });

  it('absent before any version, twice, then the first version: no regression', () => {
    const c = twoIncarnations();
    expect(c.observe('1', undefined, 1, READING)).toBeUndefined();
    expect(c.observe('1', undefined, 2, READING)).toBeUndefined();
    expect(c.observe('1', doc(['a'], 'x'), 3, READING)).toBeUndefined();
  });

  it('absent after a version is its first delete after it, not a later one', () => {
    const c = twoIncarnations();
    c.observe('1', doc(['a'], 'x'), 1, READING);
    expect(c.observe('1', undefined, 2, READING)).toBeUndefined();
    expect(c.observe('1', undefined, 3, READING)).toBeUndefined();
    expect(c.observe('1', doc(['b'], 'y'), 4, READING)).toBeUndefined();
  });

  it('absent after the second incarnation is its own delete: the first one shown again is a regression', () => {
    const c = twoIncarnations();
    c.observe('1', doc(['b'], 'y'), 1, READING);
    expect(c.observe('1', undefined, 2, READING)).toBeUndefined();
    expect(c.observe('1', doc(['b'], 'y'), 3, READING)).toMatchObject({
      shape: 'regressed',
      before: { observed: null, t: 2 },
    });
  });

  it('the row shown again after its delete was shown is a regression', () => {
    const c = twoIncarnations();
    c.observe('1', doc(['a'], 'x'), 1, READING);
    c.observe('1', undefined, 2, READING);
    expect(c.observe('1', doc(['a'], 'x'), 3, READING)?.shape).toBe('regressed');
  });

  it('a list is judged against the incarnation its first token began, past earlier deletes', () => {
    expect(threeVersionsThen(['d'], 'w').observe('1', doc(['d', 'x'], 'w'), 1, READING)).toMatchObject({
      shape: 'foreign',
      committed: ['d'],
    });
  });

  it('a list whose first token began no version is judged against the latest incarnation', () => {
    const c = threeVersionsThen(['d'], 'w');
    c.track(op(1, { tokens: ['d', 'e'], note: 'v' }));
    expect(c.observe('1', doc(['b', 'e'], 'v'), 1, READING)).toMatchObject({
      shape: 'reordered',
      committed: ['d', 'e'],
    });
  });

  it('a row whose only version is its delete: any list is foreign to nothing committed', () => {
    const c = new AppendCheck(LEDGER);
    c.track(op(1, null));
    expect(c.observe('1', doc(['x'], 'x'), 1, READING)).toMatchObject({ shape: 'foreign', committed: [] });
  });

  it('a regression after the last delete names the longest list before it', () => {
    const c = threeVersions();
    c.track(op(1, null));
    c.observe('1', doc(['a', 'b'], 'y'), 1, READING);
    expect(c.observe('1', doc(['a'], 'x'), 2, READING)).toMatchObject({
      shape: 'regressed',
      committed: ['a', 'b', 'c'],
    });
  });

  it("the committed list named is the incarnation's longest, the first of equal lengths", () => {
    const shrunk = new AppendCheck(LEDGER);
    shrunk.track(op(1, { tokens: ['a', 'b'], note: 'x' }));
    shrunk.track(op(1, { tokens: ['a'], note: 'y' }));
    expect(shrunk.observe('1', doc(['a', 'a'], 'x'), 1, READING)).toMatchObject({ committed: ['a', 'b'] });
    const same = new AppendCheck(LEDGER);
    same.track(op(1, { tokens: ['a', 'b'], note: 'x' }));
    same.track(op(1, { tokens: ['a', 'c'], note: 'y' }));
    expect(same.observe('1', doc(['a', 'a'], 'x'), 1, READING)).toMatchObject({ committed: ['a', 'b'] });
  });
});

describe('AppendCheck: rows it cannot judge', () => {
  it('a row no op wrote is not judged', () => {
    expect(threeVersions().observe('2', doc(['z'], 'z'), 1, READING)).toBeUndefined();
  });

  it('a delete adds no token to the tokens of its row', () => {
    const c = new AppendCheck(LEDGER);
    c.track(op(1, { tokens: ['a'], note: 'x' }));
    c.track(op(1, null));
    // Any token no write made is foreign, a delete adding none.
    expect(c.observe('1', doc(['b'], 'x'), 1, READING)?.shape).toBe('foreign');
  });
});
