import { existsSync, readFileSync, statSync } from 'node:fs';
import { registerConfigSecrets } from '../util/redact.ts';
import { join, resolve } from 'node:path';
import type { ConnectorConfig } from '../connect/client.ts';
import { PROJECT_ROOT } from '../provision/paths.ts';
import type { Endpoints } from '../stack/endpoints.ts';
import { ConfigError } from '../util/errors.ts';
import { kindHome, readPipelineSpec, type PipelineSpec, type TableSpec } from './kind.ts';
import type { RunNames } from './run-names.ts';

/**
 * A pipeline definition is a directory: register-postgres.json and register-elasticsearch.json (Connect's
 * `{name, config}` bodies, as in the seed), and optionally schema.sql (table, replica identity,
 * publication) and es-index.json (index settings and mappings). Files missing from a user's directory fall
 * back to the healthy defaults in connectors/. A pipeline.yaml declares the kind (cdc, outbox, dual-write;
 * see kind.ts); the files a definition of another kind lacks come from that kind's healthy definition first.
 */
export interface PipelineDefinition {
  dir: string;
  source: { name: string; config: ConnectorConfig; file: string };
  sink: { name: string; config: ConnectorConfig; file: string };
  schemaSql: string;
  esIndex: Record<string, unknown>;
  /** The table the workload writes to; schema.sql must create it. */
  table: string;
  /** Which files came from the defaults. */
  defaulted: string[];
  /** How changes reach Elasticsearch (pipeline.yaml; default cdc). */
  pipeline: PipelineSpec;
  /** The definition's own tables (pipeline.yaml `tables:`), each with its index body when it names one. */
  tables?: readonly OwnTable[];
}

/** A table of the definition's own schema and the body its index is created with (absent: the sink creates it). */
export interface OwnTable {
  spec: TableSpec;
  esIndex?: Record<string, unknown>;
}

/** Values substituted for ${NAME} placeholders in the connector files. */
export type PipelineVars = Record<string, string>;

export const DEFAULT_CONNECTORS_DIR = join(PROJECT_ROOT, 'connectors');

function readJson(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ConfigError(
      `${file} is not valid JSON: ${(err as Error).message}`,
      'fix the JSON syntax (a trailing comma or a missing quote is the usual cause)',
    );
  }
}

function connectorFile(file: string, vars: PipelineVars): { name: string; config: ConnectorConfig; file: string } {
  const body = readJson(file);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ConfigError(
      `${file} must hold a JSON object {"name": ..., "config": {...}}`,
      'use the body you would POST to Connect /connectors',
    );
  }
  const { name, config } = body as { name?: unknown; config?: unknown };
  if (typeof name !== 'string' || name === '')
    throw new ConfigError(`${file}: field "name" must be a non-empty string`, 'add "name": "<connector name>"');
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ConfigError(
      `${file}: field "config" must be an object of string settings`,
      'add "config": { "connector.class": ..., ... }',
    );
  }
  const out: ConnectorConfig = {};
  for (const [k, v] of Object.entries(config as Record<string, unknown>)) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
      throw new ConfigError(
        `${file}: config."${k}" must be a string, number or boolean`,
        'Connect configs are flat key/value strings',
      );
    }
    out[k] = substitute(String(v), vars, `${file}: config."${k}"`);
  }
  if (!out['connector.class'])
    throw new ConfigError(`${file}: config."connector.class" is missing`, 'name the connector class');
  return { name, config: out, file };
}

function substitute(text: string, vars: PipelineVars, where: string): string {
  return text.replace(/\$\{([A-Z0-9_]+)\}/g, (_m, key: string) => {
    const v = vars[key];
    if (v === undefined) {
      throw new ConfigError(
        `${where}: unknown placeholder \${${key}}`,
        `use one of: ${Object.keys(vars)
          .map((k) => `\${${k}}`)
          .join(', ')}`,
      );
    }
    return v;
  });
}

export function loadDefinition(dirArg: string | undefined, vars: PipelineVars): PipelineDefinition {
  const dir = definitionDir(dirArg);
  const defaulted: string[] = [];
  const pipeline = readPipelineSpec(dir);
  const pick = picker(dir, pipeline, defaulted);
  const source = connectorFile(pick('register-postgres.json'), vars);
  const sink = connectorFile(pick('register-elasticsearch.json'), vars);
  // Their secrets are masked in everything the harness writes or prints from here on (docs/secrets.md).
  registerConfigSecrets(source.config);
  registerConfigSecrets(sink.config);
  const schemaFile = pick('schema.sql');
  const schemaSql = substitute(readFileSync(schemaFile, 'utf8'), vars, schemaFile);
  const esIndex = indexFile(pick('es-index.json'), dir);
  const m = /create\s+table\s+(?:if\s+not\s+exists\s+)?("?[\w.]+"?)/i.exec(schemaSql);
  const table = (m?.[1] ?? 'products').replace(/"/g, '').replace(/^public\./, '');
  const tables = ownTables(dir, pipeline);
  return { dir, source, sink, schemaSql, esIndex, table, defaulted, pipeline, ...(tables ? { tables } : {}) };
}

/** Each `tables:` entry with its index body read (a definition's own tables have no defaults to fall back on). */
function ownTables(dir: string, pipeline: PipelineSpec): OwnTable[] | undefined {
  if (!pipeline.tables) return undefined;
  const pick = picker(dir, pipeline, []);
  if (!existsSync(pick('schema.sql')) || pick('schema.sql') === join(DEFAULT_CONNECTORS_DIR, 'schema.sql'))
    throw new ConfigError(
      `${dir} declares tables: but has no schema.sql`,
      'add the schema.sql that creates those tables and their publication (${PUBLICATION})',
    );
  return pipeline.tables.map((spec) => {
    if (spec.mapping === undefined) return { spec };
    const file = pick(spec.mapping);
    if (!existsSync(file))
      throw new ConfigError(
        `tables.${spec.name}.mapping names ${file}, which does not exist`,
        'name a file in the definition directory holding the PUT /<index> body',
      );
    return { spec, esIndex: indexFile(file, dir) };
  });
}

/**
 * Every problem of a definition directory at once, without endpoints (placeholders get dummy values), so a
 * command can refuse a broken one before it starts anything. Empty when the definition would load.
 */
export function definitionProblems(dirArg: string | undefined): ConfigError[] {
  const vars = Object.fromEntries(PLACEHOLDERS.map((k) => [k, 'x']));
  const problems: ConfigError[] = [];
  const attempt = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(err);
      return undefined;
    }
  };
  const dir = attempt(() => definitionDir(dirArg));
  const pipeline = dir === undefined ? undefined : attempt(() => readPipelineSpec(dir));
  if (dir === undefined || pipeline === undefined) return problems;
  const pick = picker(dir, pipeline, []);
  attempt(() => connectorFile(pick('register-postgres.json'), vars));
  attempt(() => connectorFile(pick('register-elasticsearch.json'), vars));
  const schemaFile = pick('schema.sql');
  attempt(() => substitute(readFileSync(schemaFile, 'utf8'), vars, schemaFile));
  attempt(() => indexFile(pick('es-index.json'), dir));
  attempt(() => ownTables(dir, pipeline));
  return problems;
}

function definitionDir(dirArg: string | undefined): string {
  const dir = resolve(dirArg ?? DEFAULT_CONNECTORS_DIR);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ConfigError(
      `connectors directory ${dir} does not exist`,
      'pass --connectors DIR with a directory holding register-postgres.json and register-elasticsearch.json',
    );
  }
  return dir;
}

/**
 * A definition file: the directory's own, else its base's (pipeline.yaml `base:`), else its kind's healthy one,
 * else connectors/ (noted in `defaulted`).
 */
function picker(dir: string, pipeline: PipelineSpec, defaulted: string[]): (name: string) => string {
  return (name) => {
    const own = join(dir, name);
    if (existsSync(own)) return own;
    if (pipeline.base && existsSync(join(pipeline.base, name))) return join(pipeline.base, name);
    defaulted.push(name);
    const home = join(kindHome(pipeline.kind), name);
    return existsSync(home) ? home : join(DEFAULT_CONNECTORS_DIR, name);
  };
}

function indexFile(file: string, dir: string): Record<string, unknown> {
  const esIndex = readJson(file);
  if (typeof esIndex !== 'object' || esIndex === null)
    throw new ConfigError(`${file} in ${dir} must be a JSON object`, 'use the body of PUT /<index>');
  return esIndex as Record<string, unknown>;
}

/**
 * Where a definition would touch objects other than the run's own (fixed table, publication or index names
 * instead of the ${TABLE}, ${PUBLICATION} and ${INDEX} placeholders): one line per problem, empty when none.
 */
export function unscopedObjects(
  def: PipelineDefinition,
  own: { table: string; publication: string; index: string },
): string[] {
  const out: string[] = [];
  if (def.table !== own.table) out.push(`schema.sql creates table "${def.table}" (use \${TABLE})`);
  const pub = def.source.config['publication.name'];
  if (pub !== own.publication)
    out.push(
      `${def.source.file}: publication.name is "${pub ?? '(Debezium default dbz_publication)'}" (use \${PUBLICATION})`,
    );
  const pubs = [...def.schemaSql.matchAll(/create\s+publication\s+("?[\w.]+"?)/gi)].map((m) =>
    (m[1] ?? '').replace(/"/g, ''),
  );
  for (const p of pubs.filter((x) => x !== own.publication))
    out.push(`schema.sql creates publication "${p}" (use \${PUBLICATION})`);
  if (!Object.values(def.sink.config).some((v) => v.includes(own.index)))
    out.push(`${def.sink.file}: no setting names the run's index (route to \${INDEX})`);
  return out;
}

/** The ${NAME} placeholders a pipeline definition may use. */
export const PLACEHOLDERS = [
  'PG_HOST',
  'PG_PORT',
  'PG_USER',
  'PG_PASSWORD',
  'PG_DATABASE',
  'KAFKA_BOOTSTRAP',
  'ES_URL',
  'TOPIC_PREFIX',
  'SLOT_NAME',
  'INDEX',
  'TABLE',
  'PUBLICATION',
  'OUTBOX_TABLE',
] as const;

export function pipelineVars(ep: Endpoints, names: RunNames): Record<(typeof PLACEHOLDERS)[number], string> {
  return {
    PG_HOST: ep.pgProxied.host,
    PG_PORT: String(ep.pgProxied.port),
    PG_USER: ep.pg.user,
    PG_PASSWORD: ep.pg.password,
    PG_DATABASE: ep.pg.database,
    KAFKA_BOOTSTRAP: ep.kafkaProxied,
    ES_URL: ep.esProxiedUrl,
    TOPIC_PREFIX: names.topicPrefix,
    SLOT_NAME: names.slot,
    INDEX: names.index,
    TABLE: names.table,
    PUBLICATION: names.publication,
    OUTBOX_TABLE: names.outboxTable,
  };
}

/** The topics the sink reads (its `topics` list; none for a `topics.regex` sink). */
export function sinkTopics(def: Pick<PipelineDefinition, 'sink'>): string[] {
  return (def.sink.config.topics ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
}

/** How the sink's consumer reads: as its connector overrides it, else as Kafka's consumer does by default. */
export function sinkIsolation(def: Pick<PipelineDefinition, 'sink'>): 'read_committed' | 'read_uncommitted' {
  return def.sink.config['consumer.override.isolation.level'] === 'read_committed'
    ? 'read_committed'
    : 'read_uncommitted';
}

/**
 * Whether the pipeline is exactly-once from the source to the sink: the workers write the source's records and
 * offsets in Kafka transactions (KIP-618) and the sink reads only what was committed. Then no record reaches
 * the sink twice, even after a hard kill; with either half missing, a kill replays what was in flight.
 */
export function exactlyOnceSource(def: Pick<PipelineDefinition, 'sink' | 'pipeline'>): boolean {
  return def.pipeline.worker?.['exactly.once.source.support'] === 'enabled' && sinkIsolation(def) === 'read_committed';
}
