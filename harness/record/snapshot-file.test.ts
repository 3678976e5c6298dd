import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TableModel } from '../model/table.ts';
import type { EsDoc } from './anomalies.ts';
import { DamagedRunDir, digestOf, readSnapshot, writeSnapshot, type SavedSnapshot } from './snapshot-file.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const MODEL: TableModel = {
  name: 'events',
  key: ['id'],
  columns: [{ name: 'id', type: { kind: 'int8' }, nullable: false, default: null, toastable: false }],
  foreignKeys: [],
  replicaIdentity: 'full',
};

function side(rows: Record<string, unknown>[], docs: EsDoc[]): SavedSnapshot {
  return {
    takenAt: 1,
    mapping: { properties: { id: { type: 'long' } } },
    pgRows: rows.length,
    esDocs: docs.length,
    digests: { pg: digestOf(rows), es: digestOf(docs) },
    pg: rows as SavedSnapshot['pg'],
    es: docs,
  };
}

describe("a tables run's snapshot", () => {
  it('keeps each table in snapshot/tables/<table>/ with its model, and reads every file back checked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-snap-'));
    dirs.push(dir);
    const events = side([{ id: 1 }], [{ _id: '1', _source: { id: 1 } }]);
    writeSnapshot(dir, {
      takenAt: 1,
      pgRows: 1,
      esDocs: 1,
      digests: { pg: 'x', es: 'y' },
      omitted: 'per table',
      tables: [{ table: 'events', index: 'events-idx', model: MODEL, fields: ['extra'], snapshot: events }],
    });
    const back = readSnapshot(dir);
    expect(back?.tables).toEqual([
      { table: 'events', index: 'events-idx', model: MODEL, fields: ['extra'], snapshot: events },
    ]);
    // A table's documents edited after the run: refused, naming the file.
    writeFileSync(join(dir, 'snapshot', 'tables', 'events', 'es.jsonl.gz'), 'not gzip');
    expect(() => readSnapshot(dir)).toThrow(DamagedRunDir);
    expect(() => readSnapshot(dir)).toThrow(/tables\/events\/es\.jsonl\.gz/);
    // A table the top-level meta names, without its directory.
    rmSync(join(dir, 'snapshot', 'tables', 'events'), { recursive: true });
    expect(() => readSnapshot(dir)).toThrow(/tables\/events\/meta\.json: missing/);
  });
});
