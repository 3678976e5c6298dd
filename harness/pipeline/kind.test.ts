import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../provision/paths.ts';
import { ConfigError } from '../util/errors.ts';
import { loadDefinition, PLACEHOLDERS } from './definition.ts';
import { DEFAULT_SPEC, hasConnectors, parsePipelineSpec, readPipelineSpec, specSettings } from './kind.ts';
import { OutboxSql } from './outbox-sql.ts';

const vars = Object.fromEntries(PLACEHOLDERS.map((k) => [k, k.toLowerCase()]));

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kind-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const rel = (f: string): string => relative(PROJECT_ROOT, f);

describe('pipeline kinds', () => {
  it('a definition without pipeline.yaml is cdc', () => {
    expect(readPipelineSpec(dirWith({}))).toBe(DEFAULT_SPEC);
    expect(loadDefinition(undefined, vars).pipeline.kind).toBe('cdc');
  });

  it('reads kind and options, with defaults', () => {
    expect(parsePipelineSpec('kind: outbox\n', 'p.yaml')).toMatchObject({
      kind: 'outbox',
      outbox: { write: 'same-transaction', deletes: 'empty-payload' },
    });
    expect(parsePipelineSpec('kind: outbox\noutbox: { write: separate-transaction }', 'p.yaml').outbox.write).toBe(
      'separate-transaction',
    );
    expect(parsePipelineSpec('kind: dual-write\ndualWrite: { timeoutMs: 500 }', 'p.yaml').dualWrite.timeoutMs).toBe(
      500,
    );
    expect(specSettings(parsePipelineSpec('kind: outbox\noutbox: { deletes: last-state }', 'p.yaml'))).toEqual({
      kind: 'outbox',
      'outbox.write': 'same-transaction',
      'outbox.deletes': 'last-state',
    });
    expect(hasConnectors(parsePipelineSpec('kind: dual-write', 'p.yaml'))).toBe(false);
  });

  it('names every bad field', () => {
    let err: unknown;
    try {
      parsePipelineSpec(
        'kind: cqrs\nrelay: debezium\noutbox: { write: later }\ndualWrite: { timeoutMs: -1 }',
        'p.yaml',
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    for (const part of [
      'relay: unknown field',
      'kind must be one of cdc, outbox, dual-write, got "cqrs"',
      'outbox.write must be one of same-transaction, separate-transaction',
      'dualWrite.timeoutMs must be a whole number',
    ])
      expect(msg).toContain(part);
    expect(() => parsePipelineSpec('kind: cdc\noutbox: { write: same-transaction }', 'p.yaml')).toThrow(
      /outbox: only for kind outbox/,
    );
  });

  it('reads worker: settings as text, and refuses the keys the harness owns', () => {
    const spec = parsePipelineSpec(
      'worker:\n  exactly.once.source.support: enabled\n  task.shutdown.graceful.timeout.ms: 9000',
      'p.yaml',
    );
    expect(spec.worker).toEqual({
      'exactly.once.source.support': 'enabled',
      'task.shutdown.graceful.timeout.ms': '9000',
    });
    expect(specSettings(spec)).toEqual({
      kind: 'cdc',
      'worker.exactly.once.source.support': 'enabled',
      'worker.task.shutdown.graceful.timeout.ms': '9000',
    });
    expect(parsePipelineSpec('worker: {}', 'p.yaml').worker).toBeUndefined();
    expect(parsePipelineSpec('kind: cdc', 'p.yaml').worker).toBeUndefined();
    for (const [yaml, problem] of [
      ['worker: enabled', 'worker must map Connect worker settings to values'],
      ['worker: { bootstrap.servers: "x:9092" }', 'worker.bootstrap.servers: set by the harness'],
      ['worker: { offset.storage.topic: t }', 'worker.offset.storage.topic: set by the harness'],
      ['worker: { plugin.path: /x }', 'worker.plugin.path: set by the harness'],
      ['worker: { rest.port: 1 }', 'worker.rest.port: set by the harness'],
      ['worker: { a.b: [1] }', 'worker.a.b must be a string, number or boolean'],
      ['kind: dual-write\nworker: { a: b }', 'worker: a dual-write pipeline runs no Connect worker'],
    ])
      expect(() => parsePipelineSpec(yaml!, 'p.yaml'), yaml).toThrow(problem!);
  });

  it('files an outbox definition lacks come from connectors/outbox/, then from connectors/', () => {
    const def = loadDefinition(dirWith({ 'pipeline.yaml': 'kind: outbox\n' }), vars);
    expect(rel(def.source.file)).toBe('connectors/outbox/register-postgres.json');
    expect(rel(def.sink.file)).toBe('connectors/outbox/register-elasticsearch.json');
    expect(def.schemaSql).toContain('CREATE TABLE outbox_table');
    expect(def.table).toBe('table');
    expect(def.defaulted).toEqual([
      'register-postgres.json',
      'register-elasticsearch.json',
      'schema.sql',
      'es-index.json',
    ]);
    expect(def.source.config['table.include.list']).toBe('public.outbox_table');
    expect(def.source.config['transforms.outbox.type']).toBe('io.debezium.transforms.outbox.EventRouter');
    expect(def.sink.config.topics).toBe('topic_prefix.outbox.product');
    const dual = loadDefinition(join(PROJECT_ROOT, 'connectors', 'dual-write'), vars);
    expect(dual.pipeline).toMatchObject({ kind: 'dual-write', dualWrite: { timeoutMs: 2000 } });
    expect(rel(dual.source.file)).toBe('connectors/register-postgres.json');
  });

  it('the outbox statement writes the product and its outbox row in one statement', () => {
    const sql = new OutboxSql('products', 'outbox');
    const upsert = sql.withEvent('UPDATE "products" SET name = $2 WHERE product_id = $1', 'product_id', 3, 'upsert');
    expect(upsert).toMatch(
      new RegExp(
        /^WITH w AS \(UPDATE "products" SET name = \$2 WHERE product_id = \$1 RETURNING \*\), /.source +
          /o AS \(INSERT INTO "outbox" /.source,
      ),
    );
    expect(upsert).toContain(
      "SELECT $3::uuid, 'product', w.product_id::text, " +
        "'ProductUpserted', jsonb_build_object('product_id', w.product_id",
    );
    expect(sql.withEvent('DELETE FROM "products" WHERE product_id = $1', 'product_id', 2, 'delete')).toContain(
      "'ProductDeleted', NULL::jsonb FROM w",
    );
    expect(
      sql.withEvent('DELETE FROM "products" WHERE product_id = $1', 'product_id', 2, 'delete-with-state'),
    ).toContain("'ProductDeleted', jsonb_build_object(");
  });
});
