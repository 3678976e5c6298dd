import { describe, expect, it } from 'vitest';
import { LEDGER } from '../../test/fixtures/ledger.ts';
import { appendColumnProblem, appended, appendList, tokenList } from './append.ts';
import type { TableModel } from './table.ts';

describe('the append column', () => {
  it('reads a normalised list, and only a list of strings', () => {
    expect(appendList('["t1","t2"]')).toEqual(['t1', 't2']);
    expect(appendList('[]')).toEqual([]);
    for (const bad of ['["t1",null]', '{"a":1}', 'not json', 7, null, undefined])
      expect(appendList(bad)).toBeUndefined();
    expect(tokenList(['a'])).toEqual(['a']);
    expect(tokenList([1])).toBeUndefined();
    expect(tokenList('a')).toBeUndefined();
  });

  it('an insert starts a list with its token, an update appends it', () => {
    expect(appended(undefined, 't0')).toBe('["t0"]');
    expect(appended('["t0"]', 't5')).toBe('["t0","t5"]');
    expect(() => appended(null, 't5')).toThrow(/holds null, not a list/);
  });

  it('must name a text or long enough varchar array outside the key, compared', () => {
    const withTokens = (type: TableModel['columns'][number]['type'], more = {}): TableModel => ({
      ...LEDGER,
      columns: LEDGER.columns.map((c) => (c.name === 'tokens' ? { ...c, type, ...more } : c)),
    });
    expect(appendColumnProblem(LEDGER, 'tokens')).toBeUndefined();
    const varchar = (length: number | null) => withTokens({ kind: 'array', element: { kind: 'varchar', length } });
    expect(appendColumnProblem(varchar(null), 'tokens')).toBeUndefined();
    expect(appendColumnProblem(varchar(24), 'tokens')).toBeUndefined();
    expect(appendColumnProblem(varchar(23), 'tokens')).toBe(
      'ledger.tokens is character varying(23)[]: tokens need up to 24 characters',
    );
    expect(appendColumnProblem(LEDGER, 'nope')).toBe('ledger has no column nope');
    expect(appendColumnProblem(LEDGER, 'id')).toBe('ledger.id is part of the key');
    expect(appendColumnProblem(LEDGER, 'note')).toBe('ledger.note is text, not text[]');
    expect(appendColumnProblem(withTokens({ kind: 'array', element: { kind: 'int4' } }), 'tokens')).toBe(
      'ledger.tokens is integer[], not text[]',
    );
    expect(appendColumnProblem(withTokens(LEDGER.columns[1]!.type, { lossy: 'x' }), 'tokens')).toBe(
      'ledger.tokens is not compared (lossy)',
    );
  });
});
