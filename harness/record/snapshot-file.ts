import { createHash } from 'node:crypto';
import { mkdirPrivate, writePrivate, writePrivateRaw } from '../util/private-files.ts';
import { redactDeep } from '../util/redact.ts';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { EsDoc } from './anomalies.ts';
import type { ProductRow } from './history.ts';

/** How the index read created_at when the snapshot was compared (a copy of the checker's DateReading). */
export interface SnapshotDates {
  epoch: 'millis' | 'second' | null;
  iso: boolean;
}

/**
 * The stores as the checker compared them for the report's verdict: the Postgres rows and Elasticsearch
 * documents, complete when they fit the cap, else digests only (with the reason), so a checker change can be
 * tried against old runs without a stack.
 */
export interface SavedSnapshot {
  takenAt: number;
  dates: SnapshotDates;
  pgRows: number;
  esDocs: number;
  /** sha256 over the canonical JSON lines of each side, in product_id order. */
  digests: { pg: string; es: string };
  /** Absent when the stores were too large to keep. */
  pg?: ProductRow[];
  es?: EsDoc[];
  /** Why the rows and documents are not kept, when they are not. */
  omitted?: string;
}

export const SNAPSHOT_DIR = 'snapshot';

/** Writes snapshot/meta.json, and pg.jsonl.gz + es.jsonl.gz when the data was kept. */
export function writeSnapshot(runDir: string, s: SavedSnapshot): void {
  const dir = join(runDir, SNAPSHOT_DIR);
  mkdirPrivate(dir);
  const { pg, es, ...meta } = s;
  writePrivate(join(dir, 'meta.json'), `${JSON.stringify(redactDeep(meta), null, 2)}\n`);
  if (pg && es) {
    writePrivateRaw(join(dir, 'pg.jsonl.gz'), gzipSync(pg.map((r) => JSON.stringify(r)).join('\n')));
    writePrivateRaw(join(dir, 'es.jsonl.gz'), gzipSync(es.map((d) => JSON.stringify(d)).join('\n')));
  }
}

/** The saved snapshot of a run directory, or undefined when the run saved none (older runs). */
export function readSnapshot(runDir: string): SavedSnapshot | undefined {
  const dir = join(runDir, SNAPSHOT_DIR);
  if (!existsSync(join(dir, 'meta.json'))) return undefined;
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as SavedSnapshot;
  if (!existsSync(join(dir, 'pg.jsonl.gz'))) return meta;
  const lines = (file: string): string[] =>
    gunzipSync(readFileSync(join(dir, file)))
      .toString('utf8')
      .split('\n')
      .filter((l) => l !== '');
  return {
    ...meta,
    pg: lines('pg.jsonl.gz').map((l) => JSON.parse(l) as ProductRow),
    es: lines('es.jsonl.gz').map((l) => JSON.parse(l) as EsDoc),
  };
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
