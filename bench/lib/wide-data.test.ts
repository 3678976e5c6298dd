import { describe, expect, it } from 'vitest';
import { compare } from '../../harness/check/compare.ts';
import { indexReadingOf } from '../../harness/check/mapping.ts';
import { readSource } from '../../harness/check/normalise.ts';
import { buildVersions } from '../../harness/check/versions.ts';
import { canonicalJson, codecOf } from '../../harness/model/codecs.ts';
import { benchCompare } from './checker-data.ts';
import {
  WIDE,
  WIDE_MAPPING,
  wideAttrs,
  wideDoc,
  wideDocs,
  wideFirst,
  wideHistory,
  wideKey,
  wideLatest,
  wideRows,
} from './wide-data.ts';

const reading = indexReadingOf(WIDE_MAPPING, [], WIDE);

describe('the wide table', () => {
  it('has a key and fourteen typed columns, each with a normaliser', () => {
    expect(WIDE.columns).toHaveLength(15);
    expect(new Set(WIDE.columns.map((c) => c.type.kind)).size).toBe(14); // int8 twice (the key and big)
    for (const c of WIDE.columns) expect(codecOf(c), c.name).toBeDefined();
  });

  it('is deterministic: the same row number gives the same row and document', () => {
    for (const i of [1, 3, 17, 19, 23, 41, 1_000_000]) {
      expect(wideLatest(i)).toEqual(wideLatest(i));
      expect(wideDoc(i, 2)).toEqual(wideDoc(i, 2));
    }
    expect([...wideRows(100)].map((r) => r['id'])).toEqual(
      Array.from({ length: 100 }, (_, k) => k + 1)
        .filter((i) => i % 50 !== 0)
        .map(wideKey),
    );
  });

  it('rows are in the codecs’ normalised form, and each document reads back as its row', () => {
    for (let i = 1; i <= 300; i++) {
      for (const [version, row] of [
        [1, wideFirst(i)],
        [i % 3 === 0 ? 2 : 1, wideLatest(i)],
      ] as const) {
        const doc = wideDoc(i, version);
        for (const c of WIDE.columns) expect(codecOf(c)!.fromPg(row[c.name]), `${i} ${c.name}`).toBe(row[c.name]);
        const attrs = wideAttrs(i, version);
        expect(row['attrs']).toBe(attrs === null ? null : canonicalJson(attrs));
        if (attrs !== null) expect(JSON.parse(doc._source['attrs'] as string)).toEqual(attrs);
        expect(readSource(doc._source, reading), `row ${i}`).toEqual({ ok: true, row });
      }
    }
    // The documents carry Debezium's forms, not the row's: jsonb as Postgres prints it, microseconds, arrays.
    const doc = wideDoc(2, 1)._source;
    expect(doc['attrs']).toBe('{"dims": {"h": 2, "w": 2.5}, "size": 2, "color": "blue", "flags": []}');
    expect(wideFirst(2)['attrs']).toBe('{"color":"blue","dims":{"h":2,"w":2.5},"flags":[],"size":2}');
    expect(doc['at']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(doc['tags']).toEqual(['t2', 'v1']);
  });

  it('a few rows compare equal through the mapping', async () => {
    const c = await compare({
      versions: buildVersions(wideHistory(200), WIDE),
      pg: wideRows(200),
      es: wideDocs(200, false),
      reading,
    });
    expect(c.equal).toBe(true);
    expect([c.pgRows, c.esDocs, c.setupErrors.count]).toEqual([196, 196, 0]);
  });

  const corruptions: [string, unknown][] = [
    ['small', 40_000], // beyond a short
    ['qty', 1.5],
    ['ratio', 'NaN'],
    ['amount', '12.34567'], // a fifth fraction digit
    ['active', 't'],
    ['label', 'Item 7 – deja vu ☕ '],
    ['code', 'sku-7'],
    ['ref', '00000000-0000-4000-8000-00000000000X'],
    ['status', 'PAID'],
    ['attrs', '{"size": 2'],
    ['day', 17_000], // days since the epoch: epoch_millis is not in strict_date
    ['at', 1_700_000_007_007_000], // microseconds (time.precision.mode=adaptive)
    ['tags', ['t7', 'v9']],
  ];

  it.each(corruptions)('a corrupted %s is found, and named', async (field, value) => {
    const docs = [...wideDocs(10, false)];
    docs[6]!._source[field] = value;
    const c = await compare({ versions: buildVersions(wideHistory(10), WIDE), pg: wideRows(10), es: docs, reading });
    expect(c.counts.corrupt).toBe(1);
    expect(c.examples.corrupt[0]!.key).toBe(String(wideKey(7)));
    // Unreadable by the mapping ("small 40000 is out of short's range"), or read as another value.
    const named = new RegExp(`^${field} |differs from the row in ${field} `);
    expect(c.examples.corrupt[0]!.detail).toMatch(named);
  });

  it('the benchmark finds exactly the anomalies it planted, through sync and async streams', async () => {
    for (const mode of [false, true]) {
      const r = await benchCompare(60_000, { async: mode, table: 'wide' });
      expect(r.table).toBe('wide');
      expect(r.comparison.counts).toEqual({
        missing: 2,
        zombie: 2,
        stale: 2,
        corrupt: 2,
        duplicate: 2,
        'wrong-id': 0,
        'unexpected-field': 0,
      });
      expect(r.comparison.examples.stale.map((a) => a.key)).toEqual([wideKey(3), wideKey(30_003)].map(String));
      expect(r.comparison.examples.corrupt[0]!.detail).toMatch(/^amount "AQID"/);
      expect(r.comparison.pgRows).toBe(60_000 - 60_000 / 50);
      expect(r.comparison.setupErrors.count).toBe(0);
    }
  });
});
