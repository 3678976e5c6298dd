import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../util/errors.ts';
import { PROJECT_ROOT } from '../provision/paths.ts';
import {
  definitionProblems,
  exactlyOnceSource,
  loadDefinition,
  sinkIsolation,
  sinkTopics,
  unscopedObjects,
} from './definition.ts';

const vars = {
  PG_HOST: 'h',
  PG_PORT: '1',
  PG_USER: 'u',
  PG_PASSWORD: 'p',
  PG_DATABASE: 'd',
  KAFKA_BOOTSTRAP: 'k',
  ES_URL: 'http://e',
  TOPIC_PREFIX: 't',
  SLOT_NAME: 's',
  INDEX: 'i',
  TABLE: 'products',
  PUBLICATION: 'product_publication',
};

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'def-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function failure(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('pipeline definitions', () => {
  it('loads the healthy default with every placeholder filled', () => {
    const def = loadDefinition(undefined, vars);
    expect(def.source.config['database.hostname']).toBe('h');
    expect(def.sink.config['connection.url']).toBe('http://e');
    expect(def.table).toBe('products');
    expect(def.schemaSql).toMatch(/REPLICA IDENTITY FULL/);
    expect(JSON.stringify(def)).not.toMatch(/\$\{/);
  });

  it("fills the run's table and publication into schema.sql and the connectors", () => {
    const def = loadDefinition(undefined, {
      ...vars,
      TABLE: 'oc1_products',
      PUBLICATION: 'oc1_pub',
      INDEX: 'oc1-products',
    });
    expect(def.table).toBe('oc1_products');
    expect(def.schemaSql).toMatch(/CREATE PUBLICATION oc1_pub\s+FOR TABLE oc1_products/);
    expect(def.source.config['table.include.list']).toBe('public.oc1_products');
    expect(def.sink.config.topics).toBe('t.public.oc1_products');
    expect(unscopedObjects(def, { table: 'oc1_products', publication: 'oc1_pub', index: 'oc1-products' })).toEqual([]);
  });

  it("names every object a definition fixes instead of taking the run's", () => {
    const dir = dirWith({
      'schema.sql':
        'CREATE TABLE products (product_id int primary key);\n' +
        'CREATE PUBLICATION product_publication FOR TABLE products;',
      'register-postgres.json': JSON.stringify({
        name: 's',
        config: { 'connector.class': 'C', 'publication.name': 'product_publication' },
      }),
      'register-elasticsearch.json': JSON.stringify({
        name: 'k',
        config: { 'connector.class': 'C', 'transforms.route.replacement': 'products' },
      }),
    });
    const problems = unscopedObjects(loadDefinition(dir, vars), {
      table: 'oc1_products',
      publication: 'oc1_pub',
      index: 'oc1-products',
    });
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/creates table "products" \(use \$\{TABLE\}\)/);
    expect(problems[1]).toMatch(/publication.name is "product_publication"/);
    expect(problems[2]).toMatch(/creates publication "product_publication"/);
    expect(problems[3]).toMatch(/no setting names the run's index/);
  });

  it('falls back to the defaults for files a user directory does not have', () => {
    const dir = dirWith({
      'register-elasticsearch.json': JSON.stringify({
        name: 'mine',
        config: { 'connector.class': 'X', 'key.ignore': true },
      }),
    });
    const def = loadDefinition(dir, vars);
    expect(def.sink.name).toBe('mine');
    expect(def.sink.config['key.ignore']).toBe('true');
    expect(def.defaulted).toEqual(['register-postgres.json', 'schema.sql', 'es-index.json']);
  });

  it('names the file of malformed JSON', () => {
    const dir = dirWith({ 'register-postgres.json': '{"name": "x", "config": {,}}' });
    const err = failure(() => loadDefinition(dir, vars));
    expect(err.message).toContain(join(dir, 'register-postgres.json'));
    expect(err.message).toMatch(/not valid JSON/);
    expect(err.exitCode).toBe(2);
  });

  it('names a missing connector class, a bad field and an unknown placeholder', () => {
    expect(
      failure(() => loadDefinition(dirWith({ 'register-postgres.json': '{"name":"x","config":{}}' }), vars)).message,
    ).toMatch(/connector.class" is missing/);
    expect(failure(() => loadDefinition(dirWith({ 'register-postgres.json': '{"config":{}}' }), vars)).message).toMatch(
      /field "name"/,
    );
    expect(
      failure(() =>
        loadDefinition(
          dirWith({ 'register-postgres.json': '{"name":"x","config":{"connector.class":"C","a":{"b":1}}}' }),
          vars,
        ),
      ).message,
    ).toMatch(/config."a" must be/);
    const unknown = failure(() =>
      loadDefinition(
        dirWith({ 'register-postgres.json': '{"name":"x","config":{"connector.class":"C","h":"${NOPE}"}}' }),
        vars,
      ),
    );
    expect(unknown.message).toMatch(/unknown placeholder \$\{NOPE\}/);
  });

  it('refuses a directory that does not exist', () => {
    expect(failure(() => loadDefinition('/nonexistent/pipeline', vars)).message).toMatch(/does not exist/);
  });
});

describe('a definition checked before anything starts', () => {
  it('names every broken file at once, without endpoints', () => {
    const dir = dirWith({
      'register-postgres.json': '{"name": "pg", "config": {"connector.class": "x", "database.hostname": "${NOPE}"}}',
      'register-elasticsearch.json': '{"name": "es", "config": {',
    });
    const problems = definitionProblems(dir).map((p) => p.message);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(
      /register-postgres\.json: config\."database\.hostname": unknown placeholder \$\{NOPE\}/,
    );
    expect(problems[1]).toMatch(/register-elasticsearch\.json is not valid JSON/);
  });

  it('finds nothing wrong with the healthy definition, and refuses a missing directory', () => {
    expect(definitionProblems(undefined)).toEqual([]);
    expect(definitionProblems('/nonexistent').map((p) => p.message)).toEqual([
      'connectors directory /nonexistent does not exist',
    ]);
  });
});

describe('exactly-once source', () => {
  const def = (worker: Record<string, string> | undefined, sink: Record<string, string>) =>
    ({
      sink: { name: 's', file: 'f', config: { 'connector.class': 'x', ...sink } },
      pipeline: {
        kind: 'cdc',
        outbox: { write: 'same-transaction', deletes: 'empty-payload' },
        dualWrite: { timeoutMs: 1 },
        ...(worker ? { worker } : {}),
      },
    }) as Parameters<typeof exactlyOnceSource>[0];
  const on = { 'exactly.once.source.support': 'enabled' };
  const committed = { 'consumer.override.isolation.level': 'read_committed' };

  it('needs both halves: the workers writing transactions and the sink reading committed records', () => {
    expect(exactlyOnceSource(def(on, committed))).toBe(true);
    expect(exactlyOnceSource(def(on, {}))).toBe(false);
    expect(exactlyOnceSource(def({ 'exactly.once.source.support': 'preparing' }, committed))).toBe(false);
    expect(exactlyOnceSource(def(undefined, committed))).toBe(false);
    expect(sinkIsolation(def(undefined, {}))).toBe('read_uncommitted');
    expect(sinkIsolation(def(undefined, { 'consumer.override.isolation.level': 'read_uncommitted' }))).toBe(
      'read_uncommitted',
    );
  });

  it('reads the topics the sink lists', () => {
    expect(sinkTopics(def(undefined, { topics: ' a, b ,,c' }))).toEqual(['a', 'b', 'c']);
    expect(sinkTopics(def(undefined, { 'topics.regex': 'a.*' }))).toEqual([]);
  });

  it('examples/exactly-once is one', () => {
    expect(exactlyOnceSource(loadDefinition(join(PROJECT_ROOT, 'examples', 'exactly-once'), vars))).toBe(true);
    expect(exactlyOnceSource(loadDefinition(undefined, vars))).toBe(false);
  });
});
