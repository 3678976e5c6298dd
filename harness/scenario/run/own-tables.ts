/**
 * What a run does differently for a definition's own tables (pipeline.yaml `tables:`): the models are read from
 * the catalog once schema.sql ran, the pipeline counts as flowing when both connectors run and the slot streams,
 * and each table is compared with its own index, the verdict judged on the totals.
 */
import { mergeTableComparisons } from '../../check/tables.ts';
import { buildVersionsAsync, type VersionsIndex } from '../../check/versions.ts';
import { appendColumnProblem } from '../../model/append.ts';
import { readTableModels } from '../../model/catalog.ts';
import { NUMBER_KINDS, TIME_KINDS, type Row, type TableModel, type ValueRange } from '../../model/table.ts';
import { formatPgType } from '../../model/pg-type.ts';
import { ConfigError } from '../../util/errors.ts';
import type { ObserverName } from '../../observe/observers.ts';
import type { WatchedTable } from '../../observe/watched-table.ts';
import type { OwnTable, PipelineDefinition } from '../../pipeline/definition.ts';
import type { Comparison } from '../../record/anomalies.ts';
import type { HistoryEntry } from '../../record/history.ts';
import type { Endpoints } from '../../stack/endpoints.ts';
import { withPg } from '../../stack/pg.ts';
import { digestOf, type SavedSnapshot, type SavedTable } from '../../record/snapshot-file.ts';
import { tableWorkloadHash } from '../../workload/tables/codec.ts';
import type { WorkloadProfile } from '../../workload/profile.ts';
import { SNAPSHOT_KEEP_CAP, snapshotter, type Snapshotter } from '../snapshot.ts';
import { plannedOps } from './plan.ts';

/**
 * The lag probe writes and reads products documents; these watch any pipeline (op lag and the doc watch run once
 * per table, given the tables: watchedTables).
 */
export const OWN_TABLES_OBSERVERS: readonly ObserverName[] = [
  'slot-lag',
  'consumer-lag',
  'connectors',
  'op-rate',
  'op-lag',
  'doc-watch',
];

/** A definition's own table with its model, read from the catalog. */
export interface ModelledTable extends OwnTable {
  model: TableModel;
}

/** A tables run's identity, as plan.hash is a products run's: the hash of its planned ops over the models. */
export function tablesWorkloadHash(seed: number, profile: WorkloadProfile, tables: readonly ModelledTable[]): string {
  return tableWorkloadHash(
    seed,
    profile,
    tables.map((t) => t.model),
    plannedOps(profile),
  );
}

/** The models of the definition's tables as schema.sql made them (a type without a normaliser: exit 2). */
export async function readOwnModels(ep: Endpoints, tables: readonly OwnTable[]): Promise<ModelledTable[]> {
  const lossy = tables.flatMap((t) => t.spec.lossy.map((c) => `${t.spec.name}.${c}`));
  const models = await withPg(ep, ep.pg.database, (c) =>
    readTableModels(c, { tables: tables.map((t) => t.spec.name) }, { lossy }),
  );
  return tables.map((t, i) => ({
    ...t,
    model: withIdColumn(withAppend(withRanges(models[i]!, t.spec.values ?? {}), t.spec.append), t.spec.id),
  }));
}

/** The definition's `_id` column put on the model (a column that is never NULL: exit 2 otherwise). */
export function withIdColumn(model: TableModel, column: string | undefined): TableModel {
  if (column === undefined) return model;
  const c = model.columns.find((x) => x.name === column);
  const problem =
    c === undefined
      ? `${model.name} has no column ${column}`
      : c.nullable
        ? `${model.name}.${column} may be NULL, and a document _id cannot`
        : c.lossy !== undefined
          ? `${model.name}.${column} is not compared (lossy)`
          : undefined;
  if (problem !== undefined)
    throw new ConfigError(
      `tables.${model.name}.id: ${problem}`,
      `name the NOT NULL column the source keys its messages by, e.g. "doc_id TEXT GENERATED ALWAYS AS ` +
        `(a || ':' || b) STORED" with message.key.columns`,
    );
  return { ...model, idColumn: column };
}

/** The definition's append column put on the model (not a text[] column outside the key: exit 2). */
export function withAppend(model: TableModel, column: string | undefined): TableModel {
  if (column === undefined) return model;
  const problem = appendColumnProblem(model, column);
  if (problem !== undefined)
    throw new ConfigError(
      `tables.${model.name}.append: ${problem}`,
      `name a text[] column outside the key, e.g. "tokens TEXT[] NOT NULL DEFAULT '{}'" in schema.sql`,
    );
  return { ...model, append: column };
}

/** The definition's value ranges put on the model's number, date and time columns (another column: exit 2). */
export function withRanges(model: TableModel, values: Readonly<Record<string, ValueRange>>): TableModel {
  const numbers = model.columns.filter((x) => RANGED.has(x.type.kind)).map((x) => x.name);
  for (const name of Object.keys(values)) {
    const c = model.columns.find((x) => x.name === name);
    if (c && RANGED.has(c.type.kind)) continue;
    const why = c ? `a ${formatPgType(c.type)} column has no range` : 'no such column';
    throw new ConfigError(
      `tables.${model.name}.values.${name}: ${why}`,
      `name a number, date or time column of ${model.name} (${numbers.join(', ') || 'it has none'})`,
    );
  }
  return { ...model, columns: model.columns.map((c) => (values[c.name] ? { ...c, range: values[c.name] } : c)) };
}

const RANGED: ReadonlySet<string> = new Set([...NUMBER_KINDS, ...TIME_KINDS]);

/** Each table's committed versions from the one history (an effect names its table). */
export async function ownTableVersions(
  history: () => AsyncIterable<HistoryEntry<Row>> | Iterable<HistoryEntry<Row>>,
  tables: readonly ModelledTable[],
): Promise<Map<string, VersionsIndex>> {
  const out = new Map<string, VersionsIndex>();
  for (const t of tables) out.set(t.model.name, await buildVersionsAsync(history(), t.model));
  return out;
}

/**
 * One snapshot of every table against its index, as one comparison whose `tables` holds each table's part; what
 * each table's comparison was made of is kept for the re-check, with the table's model.
 */
export function ownTablesSnapshotter(
  ep: Endpoints,
  tables: readonly ModelledTable[],
  versions: Map<string, VersionsIndex>,
): Snapshotter {
  const parts = tables.map((t) => ({
    t,
    snap: snapshotter(
      ep,
      t.model.name,
      t.spec.index,
      versions.get(t.model.name)!,
      t.spec.fields,
      SNAPSHOT_KEEP_CAP,
      t.model,
    ),
  }));
  const saved = new WeakMap<Comparison, SavedSnapshot>();
  return {
    take: async (): Promise<Comparison> => {
      const takenAt = Date.now();
      const taken = await Promise.all(parts.map(async ({ t, snap }) => ({ t, snap, c: await snap.take() })));
      const merged = mergeTableComparisons(
        taken.map(({ t, c }) => ({ table: t.model.name, index: t.spec.index, comparison: c })),
      );
      const each = taken.map(({ t, snap, c }) => ({
        table: t.model.name,
        index: t.spec.index,
        model: t.model,
        fields: t.spec.fields ?? [],
        snapshot: snap.savedFor(c)!,
      }));
      saved.set(merged, tablesSnapshot(takenAt, each));
      return merged;
    },
    savedFor: (c) => saved.get(c),
  };
}

/** The totals of a tables run's snapshot: counts, and digests over each table's (the rows are the tables'). */
function tablesSnapshot(takenAt: number, tables: SavedTable[]): SavedSnapshot {
  const sum = (f: (s: SavedSnapshot) => number): number => tables.reduce((n, t) => n + f(t.snapshot), 0);
  return {
    takenAt,
    pgRows: sum((s) => s.pgRows),
    esDocs: sum((s) => s.esDocs),
    digests: {
      pg: digestOf(tables.map((t) => t.snapshot.digests.pg)),
      es: digestOf(tables.map((t) => t.snapshot.digests.es)),
    },
    omitted: 'a tables run: each table in snapshot/tables/<table>/',
    tables,
  };
}

/** The observers that follow each table (they need the tables' models). */
export const PER_TABLE_OBSERVERS: readonly ObserverName[] = ['op-lag', 'doc-watch'];

/** The tables as the observers watch them: each one's model, index and the fields its sink adds. */
export function watchedTables(tables: readonly ModelledTable[]): WatchedTable[] {
  return tables.map((t) => ({ name: t.model.name, index: t.spec.index, model: t.model, fields: t.spec.fields }));
}

/** The definition's own tables with their models, when the run has them. */
export function modelledTables(def: PipelineDefinition): readonly ModelledTable[] | undefined {
  return def.tables?.every((t): t is ModelledTable => 'model' in t) ? (def.tables as ModelledTable[]) : undefined;
}
