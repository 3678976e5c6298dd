import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../provision/paths.ts';
import { ConfigError } from '../util/errors.ts';
import { definitionProblems, loadDefinition, PLACEHOLDERS } from './definition.ts';
import { parsePipelineSpec } from './kind.ts';

const vars = Object.fromEntries(PLACEHOLDERS.map((k) => [k, `v_${k.toLowerCase()}`]));
const parse = (text: string) => parsePipelineSpec(text, 'pipeline.yaml');

describe('pipeline.yaml tables:', () => {
  it('maps each table to its index, mapping file, lossy columns and declared fields', () => {
    const spec = parse(
      'tables:\n  customers: { index: people, mapping: c.json }\n' +
        '  sales.orders: { lossy: [at], fields: [_meta] }\n',
    );
    expect(spec.tables).toEqual([
      { name: 'customers', index: 'people', mapping: 'c.json', lossy: [], fields: [] },
      { name: 'sales.orders', index: 'sales_orders', lossy: ['at'], fields: ['_meta'] },
    ]);
  });

  it('an append column and an id column are column names', () => {
    expect(parse('tables:\n  ledger: { append: tokens }\n').tables).toEqual([
      { name: 'ledger', index: 'ledger', lossy: [], fields: [], append: 'tokens' },
    ]);
    expect(parse('tables:\n  stock: { id: doc_id }\n').tables?.[0]?.id).toBe('doc_id');
    expect(() => parse('tables:\n  stock: { id: 7 }\n')).toThrow(/tables\.stock\.id must be a column name, got 7/);
    expect(() => parse('tables:\n  ledger: { append: [a, b] }\n')).toThrow(
      /tables\.ledger\.append must be a column name, got \["a","b"\]/,
    );
  });

  it('a definition without tables: has none (the seed products)', () => {
    expect(parse('kind: cdc\n').tables).toBeUndefined();
  });

  it('names every bad entry', () => {
    let err: unknown;
    try {
      parse(
        'kind: outbox\ntables:\n  Bad-Name: {}\n  a: { index: "UPPER" }\n  b: { index: x }\n' +
          '  c: { index: x, wat: 1 }\n  d: { lossy: nope }\n',
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as Error).message;
    expect(text).toContain('"Bad-Name" is not a lower-case table name');
    expect(text).toContain('tables.a.index must be a lower-case index name');
    expect(text).toContain('tables.c.index x is already another table');
    expect(text).toContain('tables.c.wat: unknown field');
    expect(text).toContain('tables.d.lossy must be a list of names');
    expect(text).toContain('tables: only for kind cdc so far');
  });

  it('an empty tables: is refused', () => {
    expect(() => parse('tables: {}\n')).toThrow(/tables must map each captured table/);
  });
});

describe('a definition with its own tables', () => {
  it('examples/orders loads with both indices and their bodies', () => {
    const def = loadDefinition(join(PROJECT_ROOT, 'examples', 'orders'), vars);
    expect(def.tables?.map((t) => [t.spec.name, t.spec.index])).toEqual([
      ['customers', 'customers'],
      ['orders', 'orders'],
    ]);
    expect(def.tables?.every((t) => typeof t.esIndex === 'object')).toBe(true);
    expect(def.schemaSql).toContain('CREATE PUBLICATION v_publication');
  });

  it('a mapping file that does not exist, or tables without a schema.sql, is named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-tables-'));
    writeFileSync(join(dir, 'pipeline.yaml'), 'tables:\n  t: { mapping: missing.json }\n');
    expect(definitionProblems(dir).map((e) => e.message)).toEqual([
      expect.stringContaining('declares tables: but has no schema.sql'),
    ]);
    writeFileSync(join(dir, 'schema.sql'), 'CREATE TABLE t (id int primary key);');
    expect(definitionProblems(dir).map((e) => e.message)).toEqual([expect.stringContaining('tables.t.mapping names')]);
  });
});
