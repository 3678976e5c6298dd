import { describe, expect, it } from 'vitest';
import { docOf, HistoryRecorder, product } from '../../test/fixtures/checker.ts';
import { Details, show } from './details.ts';
import { DEFAULT_INDEX_READING } from './mapping.ts';
import { buildVersions, productSlot } from './versions.ts';

const details = new Details(buildVersions([]), DEFAULT_INDEX_READING, () => -1);

describe('Details', () => {
  it('names each unexpected field with what it holds', () => {
    const doc = { _id: '1', _source: { product_id: 1, __deleted: 'false', op: 'u' } };
    expect(details.unexpectedDetail(doc, ['__deleted', 'op'])).toBe(
      'the document equals the row but also carries __deleted "false", op "u": no column explains it ' +
        "(a sink's or an unapplied unwrap's leftovers?) and the definition declares none",
    );
  });

  it('a key the history never wrote', () => {
    expect(details.versionCount(3)).toBe('the history never wrote this product_id');
    expect(details.absence(3)).toBe('no row in Postgres, and the history never wrote this product_id');
  });
});

describe('Details of a history', () => {
  // 1: inserted (op #0), updated (op #1); 2: inserted (op #2), deleted with an unknown outcome (op #3);
  // 3: inserted (op #4); 4: inserted (op #5), deleted (op #6).
  const h = new HistoryRecorder();
  const one = [product(1, { name: 'a' }), product(1, { name: 'b' })] as const;
  h.insert(one[0]);
  h.update(one[1]);
  h.insert(product(2));
  h.delete(2, 'unknown');
  const three = product(3);
  h.insert(three);
  h.insert(product(4));
  h.delete(4);
  const versions = buildVersions(h.entries);
  const d = new Details(versions, DEFAULT_INDEX_READING, (pid) => productSlot(versions, pid));
  const other = product(1, { name: 'c' });

  it('counts versions', () => {
    expect([d.versionCount(1), d.versionCount(3)]).toEqual(['2 versions in the history', '1 version in the history']);
  });

  it('names the version a row is, or says it is none', () => {
    expect(d.describeRow(1, one[0])).toBe('version 1 of 2 (op #0)');
    expect(d.describeRow(1, one[1])).toBe('version 2 of 2 (op #1)');
    expect(d.describeRow(1, other)).toBe("none of the history's versions (2 versions in the history)");
    expect(d.describeRow(9, product(9))).toBe(
      'not from the history (it never wrote this product_id; a row from before the workload?)',
    );
  });

  it('names what a document holds: the row, a version, no committed version, or nothing readable', () => {
    expect(d.describeDoc(1, docOf(one[1]), one[1])).toBe('the row');
    expect(d.describeDoc(1, docOf(one[0]), one[1])).toBe('version 1 of 2 (op #0)');
    expect(d.describeDoc(1, docOf(one[0]), null)).toBe('version 1 of 2 (op #0)');
    expect(d.describeDoc(1, docOf(other), one[1])).toBe('no committed version');
    expect(d.describeDoc(1, { _id: '1', _source: { ...docOf(one[1])._source, price: 'abc' } }, one[1])).toMatch(
      /^nothing \(price "abc" is \S/,
    );
  });

  it('says why there is no row', () => {
    expect(d.absence(2)).toBe('no row in Postgres: deleted at op #3 (outcome unknown)');
    expect(d.absence(4)).toBe('no row in Postgres: deleted at op #6');
    expect(d.absence(3)).toBe("no row in Postgres, though the history's last state (version 1, op #4) is not a delete");
  });

  it('details of each class', () => {
    expect(d.missingDetail(1, one[1])).toBe('no document; the row is version 2 of 2 (op #1)');
    expect(d.zombieDetail(4, docOf(product(4)))).toBe(
      'no row in Postgres: deleted at op #6; the document equals version 1 of 2 (op #5)',
    );
    expect(d.wrongIdDetail(3, { ...docOf(three), _id: 'x' }, three)).toBe(
      '_id "x" is not the product_id 3: an update or delete addressed by key never reaches this document; ' +
        'it equals the row',
    );
    expect(d.duplicateDetail(1, one[1], [docOf(one[1]), { ...docOf(one[0]), _id: 'b' }])).toBe(
      '2 documents: _id 1 equals the row, _id b equals version 1 of 2 (op #0)',
    );
    expect(d.duplicateDetail(4, null, [docOf(product(4))])).toBe(
      '1 documents: _id 4 equals version 1 of 2 (op #5); no row in Postgres: deleted at op #6',
    );
    expect(d.fieldDiffs({ ...docOf(one[0])._source }, one[1])).toBe('name "a" ≠ "b"');
  });
});

describe('show', () => {
  it('is the JSON of the value, undefined named, cut at 60 characters', () => {
    expect([show(undefined), show('a'), show(null), show(1.5)]).toEqual(['undefined', '"a"', 'null', '1.5']);
    expect(show('x'.repeat(58))).toBe(`"${'x'.repeat(58)}"`);
    expect(show('x'.repeat(59))).toBe(`"${'x'.repeat(56)}...`);
  });
});
