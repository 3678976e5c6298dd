import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { SEARCH_ENGINES, type SearchEngine } from '../provision/index.ts';
import { PROJECT_ROOT } from '../provision/paths.ts';
import type { ValueRange } from '../model/table.ts';
import { ConfigError } from '../util/errors.ts';

/**
 * How a pipeline definition gets the application's changes into Elasticsearch, declared in the definition
 * directory's pipeline.yaml (absent: cdc).
 *
 *   cdc         Debezium captures the products table itself (connectors/).
 *   outbox      the application writes each product change and an outbox row in one transaction; Debezium
 *               captures only the outbox table and its Outbox Event Router routes the rows (connectors/outbox/).
 *   dual-write  no relay: the application writes Postgres, then indexes the same change into Elasticsearch
 *               itself, through the es proxy (connectors/dual-write/). The seed's "basic implementation".
 */
export const PIPELINE_KINDS = ['cdc', 'outbox', 'dual-write'] as const;
export type PipelineKind = (typeof PIPELINE_KINDS)[number];

/** Where the outbox row is written: in the product's own transaction, or in a second one after its commit. */
export const OUTBOX_WRITES = ['same-transaction', 'separate-transaction'] as const;
export type OutboxWrite = (typeof OUTBOX_WRITES)[number];

/**
 * The payload of a delete's outbox row: empty (NULL), which the router turns into a tombstone, or the deleted
 * product's last state (an event that carries its aggregate, as many outbox designs write), which it cannot.
 */
export const OUTBOX_DELETES = ['empty-payload', 'last-state'] as const;
export type OutboxDeletes = (typeof OUTBOX_DELETES)[number];

export interface PipelineSpec {
  kind: PipelineKind;
  /** outbox: how the application writes its outbox rows. */
  outbox: { write: OutboxWrite; deletes: OutboxDeletes };
  /** dual-write: how long the application waits for one Elasticsearch call before it gives up on it. */
  dualWrite: { timeoutMs: number };
  /** The search engine the definition needs on a local stack (`--search` overrides nothing: they must agree). */
  search?: SearchEngine;
  /** The pipeline.yaml read, when the definition has one. */
  file?: string;
  /**
   * Another definition this one departs from (pipeline.yaml `base:`, relative to it): the files this one lacks
   * come from there, and so do the settings its pipeline.yaml does not give.
   */
  base?: string;
  /**
   * The definition's own tables (instead of the seed's products): each captured table, the index its documents
   * land in, and what the catalog cannot tell. Their columns, keys and foreign keys are read from Postgres.
   */
  tables?: readonly TableSpec[];
  /**
   * Kafka Connect worker settings the team's workers run with (pipeline.yaml `worker:`), over the harness's own
   * (stack/worker-settings.ts): e.g. `exactly.once.source.support: enabled`. A local stack restarts its workers
   * with them before the run registers anything, and back without them for the next definition.
   */
  worker?: Readonly<Record<string, string>>;
}

/** One captured table of a definition's own schema (pipeline.yaml `tables:`). */
export interface TableSpec {
  /** As schema.sql creates it: "orders", or "sales.orders" outside public. */
  name: string;
  /** The index its documents land in. */
  index: string;
  /** The index's settings and mappings file (PUT /<index> body), relative to the definition; absent: the sink's. */
  mapping?: string;
  /** Columns captured but not compared (a type with no normaliser): named in every report as not compared. */
  lossy: readonly string[];
  /** Document fields the sink adds on purpose (not `unexpected-field`). */
  fields: readonly string[];
  /** What the application writes to a number or date column, where the type allows more (the workload stays in). */
  values?: Readonly<Record<string, ValueRange>>;
  /**
   * A text[] column the workload appends one unique token to at every write of a row (model/append.ts), so the
   * order of updates a search shows is checked exactly.
   */
  append?: string;
  /** The column whose value the sink makes the document `_id` (default: the key's value, or its JSON array). */
  id?: string;
}

const TABLE_NAME = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;
const INDEX_NAME = /^[a-z0-9][a-z0-9_.-]*$/;

function stringList(v: unknown, path: string, problems: string[]): string[] {
  if (v === undefined) return [];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  problems.push(`${path} must be a list of names, got ${JSON.stringify(v)}`);
  return [];
}

/** `values:` of a table: per column, `{ min, max, finite }` (a date or time column's bounds as ISO 8601 text). */
function parseValues(raw: unknown, path: string, problems: string[]): Record<string, ValueRange> | undefined {
  if (raw === undefined) return undefined;
  const o = asObject(raw);
  if (!o) {
    problems.push(`${path} must map columns to ranges, e.g. "total: { min: 0, finite: true }"`);
    return undefined;
  }
  const out: Record<string, ValueRange> = {};
  for (const [column, v] of Object.entries(o)) {
    const r = asObject(v);
    if (!r) {
      problems.push(`${path}.${column} must be a mapping such as "{ min: 0, finite: true }"`);
      continue;
    }
    unknownKeys(r, ['min', 'max', 'finite'], `${path}.${column}.`, problems);
    for (const k of ['min', 'max'] as const) {
      const x = r[k];
      const ok = typeof x === 'number' ? Number.isFinite(x) : typeof x === 'string' && !Number.isNaN(Date.parse(x));
      if (x !== undefined && !ok)
        problems.push(`${path}.${column}.${k} must be a number or an ISO 8601 date, got ${JSON.stringify(x)}`);
    }
    if (r.finite !== undefined && typeof r.finite !== 'boolean')
      problems.push(`${path}.${column}.finite must be true or false, got ${JSON.stringify(r.finite)}`);
    if (typeof r.min === 'number' && typeof r.max === 'number' && r.min > r.max)
      problems.push(`${path}.${column}: min ${r.min} is above max ${r.max}`);
    const bound = (x: unknown): x is number | string => typeof x === 'number' || typeof x === 'string';
    out[column] = {
      ...(bound(r.min) ? { min: r.min } : {}),
      ...(bound(r.max) ? { max: r.max } : {}),
      ...(typeof r.finite === 'boolean' ? { finite: r.finite } : {}),
    };
  }
  return out;
}

/** The `tables:` section: a mapping from table name to its index and options. */
function parseTables(raw: unknown, problems: string[]): TableSpec[] | undefined {
  if (raw === undefined) return undefined;
  const o = asObject(raw);
  if (!o || Object.keys(o).length === 0) {
    problems.push('tables must map each captured table to its index, e.g. "orders: { index: orders }"');
    return undefined;
  }
  const out: TableSpec[] = [];
  const indices = new Set<string>();
  for (const [name, v] of Object.entries(o)) {
    const path = `tables.${name}.`;
    const t = asObject(v ?? {});
    if (!TABLE_NAME.test(name))
      problems.push(`tables: "${name}" is not a lower-case table name (schema.table or table)`);
    if (!t) {
      problems.push(`${path.slice(0, -1)} must be a mapping such as "{ index: ${name} }"`);
      continue;
    }
    unknownKeys(t, ['index', 'mapping', 'lossy', 'fields', 'values', 'append', 'id'], path, problems);
    const values = parseValues(t.values, `${path}values`, problems);
    const index = t.index ?? name.replace('.', '_');
    if (typeof index !== 'string' || !INDEX_NAME.test(index))
      problems.push(`${path}index must be a lower-case index name, got ${JSON.stringify(t.index)}`);
    else if (indices.has(index)) problems.push(`${path}index ${index} is already another table's`);
    else indices.add(index);
    if (t.mapping !== undefined && typeof t.mapping !== 'string')
      problems.push(`${path}mapping must be a file name, got ${JSON.stringify(t.mapping)}`);
    for (const k of ['append', 'id'] as const)
      if (t[k] !== undefined && typeof t[k] !== 'string')
        problems.push(`${path}${k} must be a column name, got ${JSON.stringify(t[k])}`);
    out.push({
      name,
      index: String(index),
      ...(typeof t.mapping === 'string' ? { mapping: t.mapping } : {}),
      lossy: stringList(t.lossy, `${path}lossy`, problems),
      fields: stringList(t.fields, `${path}fields`, problems),
      ...(values ? { values } : {}),
      ...(typeof t.append === 'string' ? { append: t.append } : {}),
      ...(typeof t.id === 'string' ? { id: t.id } : {}),
    });
  }
  return out;
}

/**
 * Worker keys the harness owns: where the worker connects, its group, topics, REST listener and plugins. A
 * definition that sets one would point the stack's worker somewhere else.
 */
const OWNED_WORKER_KEY =
  /^(bootstrap\.servers|group\.id|(config|offset|status)\.storage\..*|listeners|rest\..*|plugin\.(path|discovery))$/;

/** `worker:` of pipeline.yaml: Connect worker settings, each a key and a scalar value. */
function parseWorker(raw: unknown, problems: string[]): Record<string, string> | undefined {
  if (raw === undefined) return undefined;
  const o = asObject(raw);
  if (!o) {
    problems.push('worker must map Connect worker settings to values, e.g. "exactly.once.source.support: enabled"');
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) {
    if (OWNED_WORKER_KEY.test(k)) problems.push(`worker.${k}: set by the harness for its stack, not by a definition`);
    else if (!['string', 'number', 'boolean'].includes(typeof v))
      problems.push(`worker.${k} must be a string, number or boolean, got ${JSON.stringify(v)}`);
    else out[k] = String(v);
  }
  return out;
}

export const PIPELINE_FILE = 'pipeline.yaml';

export const DEFAULT_SPEC: PipelineSpec = {
  kind: 'cdc',
  outbox: { write: 'same-transaction', deletes: 'empty-payload' },
  dualWrite: { timeoutMs: 2000 },
};

/** The healthy definition of each kind: files a definition of that kind lacks come from here, then from connectors/. */
export function kindHome(kind: PipelineKind): string {
  return kind === 'cdc' ? join(PROJECT_ROOT, 'connectors') : join(PROJECT_ROOT, 'connectors', kind);
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], path: string, problems: string[], fallback: T): T {
  if (v === undefined) return fallback;
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  problems.push(`${path} must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  return fallback;
}

function unknownKeys(o: Record<string, unknown>, known: string[], path: string, problems: string[]): void {
  for (const k of Object.keys(o))
    if (!known.includes(k)) problems.push(`${path}${k}: unknown field (known: ${known.join(', ')})`);
}

/** Parses pipeline.yaml's text; every problem is named, with its field. */
export function parsePipelineSpec(text: string, file: string): PipelineSpec {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(`${file} is not valid YAML: ${(err as Error).message}`, 'fix the YAML syntax');
  }
  const o = raw === null || raw === undefined ? {} : asObject(raw);
  if (!o)
    throw new ConfigError(`${file} must be a mapping such as "kind: outbox"`, `kinds: ${PIPELINE_KINDS.join(', ')}`);
  const problems: string[] = [];
  unknownKeys(o, ['kind', 'outbox', 'dualWrite', 'search', 'tables', 'base', 'worker'], '', problems);
  if (o.base !== undefined && (typeof o.base !== 'string' || o.base === ''))
    problems.push(`base must be a definition directory, got ${JSON.stringify(o.base)}`);
  const kind = oneOf(o.kind, PIPELINE_KINDS, 'kind', problems, 'cdc');
  const outbox = asObject(o.outbox ?? {});
  const dual = asObject(o.dualWrite ?? {});
  if (!outbox) problems.push('outbox must be a mapping');
  if (!dual) problems.push('dualWrite must be a mapping');
  if (outbox) unknownKeys(outbox, ['write', 'deletes'], 'outbox.', problems);
  if (dual) unknownKeys(dual, ['timeoutMs'], 'dualWrite.', problems);
  if (o.outbox !== undefined && kind !== 'outbox') problems.push(`outbox: only for kind outbox (this is ${kind})`);
  if (o.dualWrite !== undefined && kind !== 'dual-write')
    problems.push(`dualWrite: only for kind dual-write (this is ${kind})`);
  const write = oneOf(outbox?.write, OUTBOX_WRITES, 'outbox.write', problems, 'same-transaction');
  const deletes = oneOf(outbox?.deletes, OUTBOX_DELETES, 'outbox.deletes', problems, 'empty-payload');
  const search =
    o.search === undefined ? undefined : oneOf(o.search, SEARCH_ENGINES, 'search', problems, 'elasticsearch');
  const timeoutMs = dual?.timeoutMs ?? DEFAULT_SPEC.dualWrite.timeoutMs;
  if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs <= 0)
    problems.push(`dualWrite.timeoutMs must be a whole number of ms > 0, got ${JSON.stringify(timeoutMs)}`);
  const tables = parseTables(o.tables, problems);
  if (tables && kind !== 'cdc') problems.push(`tables: only for kind cdc so far (this is ${kind})`);
  const worker = parseWorker(o.worker, problems);
  if (worker && kind === 'dual-write') problems.push('worker: a dual-write pipeline runs no Connect worker');
  if (problems.length)
    throw new ConfigError(
      `invalid ${file}:\n  ${problems.join('\n  ')}`,
      'see "The pipeline definition" in docs/own-pipeline.md',
    );
  return {
    kind,
    outbox: { write, deletes },
    dualWrite: { timeoutMs: timeoutMs as number },
    ...(search ? { search } : {}),
    ...(tables ? { tables } : {}),
    ...(worker && Object.keys(worker).length ? { worker } : {}),
    ...(typeof o.base === 'string' && o.base ? { base: resolve(dirname(file), o.base) } : {}),
    file,
  };
}

/** The definition directory's pipeline.yaml, or the default (cdc) when it has none. */
export function readPipelineSpec(dir: string): PipelineSpec {
  const file = join(dir, PIPELINE_FILE);
  if (!existsSync(file)) return DEFAULT_SPEC;
  const text = readFileSync(file, 'utf8');
  const own = parsePipelineSpec(text, file);
  if (!own.base) return own;
  // A base's settings, with this file's own top-level fields over them.
  const base = own.base;
  if (!existsSync(base))
    throw new ConfigError(`${file}: base ${base} does not exist`, 'name a pipeline definition directory');
  const baseFile = join(base, PIPELINE_FILE);
  const baseRaw = existsSync(baseFile) ? (asObject(parseYaml(readFileSync(baseFile, 'utf8'))) ?? {}) : {};
  if (baseRaw.base !== undefined)
    throw new ConfigError(`${file}: its base ${base} has a base of its own`, 'name the definition it departs from');
  const merged = { ...baseRaw, ...(asObject(parseYaml(text)) ?? {}) };
  return { ...parsePipelineSpec(JSON.stringify(merged), file), base };
}

/** Whether the pipeline runs connectors on Kafka Connect (a dual-write application has none). */
export function hasConnectors(spec: PipelineSpec): boolean {
  return spec.kind !== 'dual-write';
}

/** The settings that differ from the default spec of the same kind, as "key=value" (for diffs and labels). */
export function specSettings(spec: PipelineSpec): Record<string, string> {
  const out: Record<string, string> = { kind: spec.kind };
  if (spec.kind === 'outbox') {
    out['outbox.write'] = spec.outbox.write;
    out['outbox.deletes'] = spec.outbox.deletes;
  }
  if (spec.kind === 'dual-write') out['dualWrite.timeoutMs'] = String(spec.dualWrite.timeoutMs);
  for (const [k, v] of Object.entries(spec.worker ?? {})) out[`worker.${k}`] = v;
  return out;
}
