import { createHash } from 'node:crypto';
import { mkdirPrivate, writePrivate, writePrivateRaw } from '../util/private-files.ts';
import { redactDeep } from '../util/redact.ts';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { TableModel } from '../model/table.ts';
import type { EsDoc } from './anomalies.ts';
import type { ProductRow } from './history.ts';

/** How the index read created_at, as runs before raw mappings were kept recorded it (legacy, not re-used). */
export interface SnapshotDates {
  epoch: 'millis' | 'second' | null;
  iso: boolean;
}

/** The run's history file as it was when the snapshot was written: its digest and entry count. */
export interface HistoryDigest {
  digest: string;
  entries: number;
}

/**
 * The stores as the checker compared them for the report's verdict: the Postgres rows and Elasticsearch
 * documents, complete when they fit the cap, else digests only (with the reason), so a checker change can be
 * tried against old runs without a stack.
 */
export interface SavedSnapshot {
  takenAt: number;
  /**
   * The index's raw mapping (the `mappings` of GET <index>/_mapping) when the snapshot was compared; null when
   * the index had none. The re-check derives the reading from it with today's code.
   */
  mapping?: unknown;
  /** Runs from before raw mappings were kept: the derived date reading only. */
  dates?: SnapshotDates;
  /** Written by writeSnapshot from history.jsonl, so the re-check can tell a damaged history. */
  history?: HistoryDigest;
  pgRows: number;
  esDocs: number;
  /** sha256 over the canonical JSON lines of each side, in product_id order. */
  digests: { pg: string; es: string };
  /** Absent when the stores were too large to keep. */
  pg?: ProductRow[];
  es?: EsDoc[];
  /** Why the rows and documents are not kept, when they are not. */
  omitted?: string;
  /**
   * A run over a definition's own tables: each table's snapshot, in snapshot/tables/<table>/ (the top-level
   * fields then hold the totals, and no rows).
   */
  tables?: SavedTable[];
}

/** One of a definition's own tables as the run compared it: its model and index, and its snapshot. */
export interface SavedTable {
  table: string;
  index: string;
  /** The model read from the catalog at the run (the re-check has no database to read it from). */
  model: TableModel;
  /** Document fields the definition declares (pipeline.yaml `tables.<t>.fields`). */
  fields: readonly string[];
  snapshot: SavedSnapshot;
}

export const SNAPSHOT_DIR = 'snapshot';

/**
 * Writes snapshot/meta.json, and pg.jsonl.gz + es.jsonl.gz when the data was kept; a tables run's snapshot
 * writes one such directory per table under snapshot/tables/.
 */
export function writeSnapshot(runDir: string, s: SavedSnapshot): void {
  const historyFile = join(runDir, 'history.jsonl');
  const history = existsSync(historyFile) ? historyDigest(historyFile) : undefined;
  const { tables, ...totals } = s;
  writeSnapshotDir(join(runDir, SNAPSHOT_DIR), {
    ...totals,
    ...(history ? { history } : {}),
    ...(tables ? { tables: tables.map(({ snapshot: _, ...t }) => t) } : {}),
  });
  for (const t of tables ?? []) writeSnapshotDir(join(runDir, SNAPSHOT_DIR, 'tables', t.table), t.snapshot);
}

function writeSnapshotDir(dir: string, s: Omit<SavedSnapshot, 'tables'> & { tables?: unknown }): void {
  mkdirPrivate(dir);
  const { pg, es, ...meta } = s;
  writePrivate(join(dir, 'meta.json'), `${JSON.stringify(redactDeep(meta), null, 2)}\n`);
  if (pg && es) {
    writePrivateRaw(join(dir, 'pg.jsonl.gz'), gzipSync(pg.map((r) => JSON.stringify(r)).join('\n')));
    writePrivateRaw(join(dir, 'es.jsonl.gz'), gzipSync(es.map((d) => JSON.stringify(d)).join('\n')));
  }
}

/** sha256 and entry count of history.jsonl (one JSON entry per non-empty line). */
export function historyDigest(file: string): HistoryDigest {
  const text = readFileSync(file, 'utf8');
  const entries = text.split('\n').filter((l) => l.trim() !== '').length;
  return { digest: createHash('sha256').update(text).digest('hex'), entries };
}

/** A file of a run directory that is not what the run wrote: which, and how it differs. */
export class DamagedRunDir extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'DamagedRunDir';
  }
}

/**
 * The saved snapshot of a run directory, or undefined when the run saved none (older runs). Every file is
 * checked against what the run recorded of it, so a damaged or truncated directory is never judged: the rows
 * and documents against the digests and counts in meta.json, history.jsonl against its digest. Throws
 * DamagedRunDir naming the file.
 */
export function readSnapshot(runDir: string): SavedSnapshot | undefined {
  const dir = join(runDir, SNAPSHOT_DIR);
  if (!existsSync(join(dir, 'meta.json'))) return undefined;
  const meta = readMeta(dir);
  if (meta.history) {
    const file = join(runDir, 'history.jsonl');
    if (!existsSync(file)) throw new DamagedRunDir(file, 'missing');
    const now = historyDigest(file);
    if (now.entries !== meta.history.entries)
      throw new DamagedRunDir(file, `${now.entries} entries, the run wrote ${meta.history.entries}`);
    if (now.digest !== meta.history.digest) throw new DamagedRunDir(file, 'its digest differs from the one recorded');
  }
  if (!meta.tables) return withSides(dir, meta);
  const tables = meta.tables.map((t) => {
    const tableDir = join(dir, 'tables', t.table);
    if (!existsSync(join(tableDir, 'meta.json')))
      throw new DamagedRunDir(join(tableDir, 'meta.json'), 'missing, though meta.json names the table');
    return { ...t, snapshot: withSides(tableDir, readMeta(tableDir)) };
  });
  return { ...meta, tables };
}

function readMeta(dir: string): SavedSnapshot {
  const metaFile = join(dir, 'meta.json');
  let meta: SavedSnapshot;
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8')) as SavedSnapshot;
  } catch (e) {
    throw new DamagedRunDir(metaFile, `not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof meta !== 'object' || meta === null || typeof meta.digests?.pg !== 'string')
    throw new DamagedRunDir(metaFile, 'lacks the digests the run wrote');
  return meta;
}

/** A snapshot directory's rows and documents, each side checked against the count and digest meta.json holds. */
function withSides(dir: string, meta: SavedSnapshot): SavedSnapshot {
  const kept = ['pg.jsonl.gz', 'es.jsonl.gz'].filter((f) => existsSync(join(dir, f)));
  if (kept.length === 0 && meta.omitted !== undefined) return meta;
  if (kept.length < 2) {
    const absent = ['pg.jsonl.gz', 'es.jsonl.gz'].find((f) => !kept.includes(f))!;
    throw new DamagedRunDir(join(dir, absent), 'missing, though meta.json says the rows were kept');
  }
  const side = <T>(file: string, count: number, digest: string): T[] => {
    const path = join(dir, file);
    let lines: string[];
    try {
      lines = gunzipSync(readFileSync(path))
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== '');
    } catch (e) {
      throw new DamagedRunDir(path, `not a complete gzip file (${e instanceof Error ? e.message : String(e)})`);
    }
    if (lines.length !== count) throw new DamagedRunDir(path, `${lines.length} lines, the run wrote ${count}`);
    const hash = createHash('sha256');
    for (const l of lines) hash.update(`${l}\n`);
    if (hash.digest('hex') !== digest) throw new DamagedRunDir(path, 'its digest differs from the one recorded');
    return lines.map((l) => JSON.parse(l) as T);
  };
  return {
    ...meta,
    pg: side<ProductRow>('pg.jsonl.gz', meta.pgRows, meta.digests.pg),
    es: side<EsDoc>('es.jsonl.gz', meta.esDocs, meta.digests.es),
  };
}

/** The digest SnapshotSide computes, of items already collected (tests and tools that build snapshots). */
export function digestOf(items: readonly unknown[]): string {
  const hash = createHash('sha256');
  for (const item of items) hash.update(`${JSON.stringify(item)}\n`);
  return hash.digest('hex');
}

/**
 * Collects one side of a snapshot as it streams past: a digest always, the items while they fit the cap.
 * (JSON.stringify of what the readers produce is canonical enough: the same reader writes the same keys.)
 */
export class SnapshotSide<T> {
  private readonly hash = createHash('sha256');
  readonly items: T[] = [];
  count = 0;
  overflowed = false;

  constructor(private readonly cap: number) {}

  add(item: T): void {
    this.count++;
    this.hash.update(`${JSON.stringify(item)}\n`);
    if (this.count > this.cap) {
      this.overflowed = true;
      this.items.length = 0;
    } else this.items.push(item);
  }

  digest(): string {
    return this.hash.copy().digest('hex');
  }
}
