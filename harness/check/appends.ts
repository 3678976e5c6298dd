/**
 * The append check: an exact check of update order on a table with an append column (model/append.ts). Every
 * committed version of a row is named by its list, so each list a search shows either is one of them, or is a
 * shape no commit order explains (a write lost, duplicated or reordered on the way, or a token from elsewhere);
 * and the versions a search shows of one row never go back. Free of I/O: history entries and searched documents
 * are fed in, anomalies come out, each with its minimal witness.
 */
import { appendList, tokenList } from '../model/append.ts';
import type { Row, TableModel } from '../model/table.ts';
import type { HistoryEntry } from '../record/history.ts';
import type { AppendWitness } from '../record/samples.ts';
import { DELETED, fingerprintOf, type Fingerprint } from './fingerprint.ts';
import type { IndexReading } from './mapping.ts';
import { isNormalisedRow, normaliseSource, readSource } from './normalise.ts';

/**
 * - lost: the list skips a committed token of its row (a write that never arrived, or arrived out of order and
 *   was overwritten);
 * - duplicated: a token twice;
 * - reordered: the tokens are the row's, in another order;
 * - foreign: a token no write of this row made;
 * - malformed: the field is not a list of strings;
 * - torn: the list is a committed version's, the other fields another version's;
 * - regressed: an older version (or no document) after a newer one was shown.
 */
export type AppendShape = AppendWitness['shape'];

/** A finding with its witness, and when the search that showed it started (epoch ms). */
export type AppendAnomaly = AppendWitness & { t: number };

interface Version {
  /** null: the row deleted. */
  list: readonly string[] | null;
  fp: Fingerprint;
  /** From an op whose commit was not acknowledged: a document may show it, none must. */
  possible: boolean;
}

interface RowState {
  versions: Version[];
  /** Index of the newest version shown; -1: shown absent before its first; -Infinity: none shown yet. */
  maxSeen: number;
  last: { observed: readonly string[] | null; t: number } | undefined;
  /** One anomaly per row is reported (its first), as for regressions. */
  reported: boolean;
}

export class AppendCheck {
  private readonly rows = new Map<string, RowState>();
  private readonly fp: (row: Row) => Fingerprint;
  private readonly column: string;
  /** Documents judged (one per row per search that showed one; an absent document proves no order). */
  observations = 0;

  constructor(private readonly model: TableModel) {
    if (model.append === undefined) throw new Error(`${model.name} has no append column`);
    this.column = model.append;
    this.fp = fingerprintOf(model);
  }

  /** Every op that may have committed, in ack order, from the start of the history. */
  track(entry: HistoryEntry<Row>): void {
    if (entry.outcome === 'failed') return;
    for (const e of entry.effects) {
      if (e.table !== undefined && e.table !== this.model.name) continue;
      if (e.key === undefined) continue;
      let row = this.rows.get(e.key);
      if (row === undefined) {
        row = { versions: [], maxSeen: Number.NEGATIVE_INFINITY, last: undefined, reported: false };
        this.rows.set(e.key, row);
      }
      const possible = entry.outcome === 'unknown';
      if (e.after === null) {
        row.versions.push({ list: null, fp: DELETED, possible });
        continue;
      }
      const normal = this.normalised(e.after);
      const list = appendList(normal?.[this.column]);
      if (normal === undefined || list === undefined)
        throw new Error(`history op #${entry.seq}: ${this.model.name} ${e.key} has no list in ${this.column}`);
      row.versions.push({ list, fp: this.fp(normal), possible });
    }
  }

  private normalised(after: Row): Row | undefined {
    if (isNormalisedRow(after, this.model)) return after;
    const r = normaliseSource<Row>(after, undefined, this.model);
    return r.ok ? r.row : undefined;
  }

  /** Rows with at least one version: the rows a search can be judged on. */
  get rowCount(): number {
    return this.rows.size;
  }

  /**
   * One row's document as a search showed it (undefined: none), read through the index's reading; returns the
   * row's first anomaly, once.
   */
  observe(
    key: string,
    source: Readonly<Record<string, unknown>> | undefined,
    t: number,
    reading: IndexReading,
  ): AppendAnomaly | undefined {
    const row = this.rows.get(key);
    if (row === undefined || row.versions.length === 0) return undefined;
    if (source !== undefined) this.observations++;
    const found = this.judge(row, source, reading);
    if (found.anomaly === undefined && found.index !== undefined) {
      if (found.index < row.maxSeen) found.anomaly = 'regressed';
      else {
        row.maxSeen = found.index;
        row.last = { observed: found.observed as readonly string[] | null, t };
      }
    }
    if (found.anomaly === undefined || row.reported) return undefined;
    row.reported = true;
    const anomaly: AppendAnomaly = {
      table: this.model.name,
      key,
      shape: found.anomaly,
      t,
      committed: found.committed ?? longestOf(row.versions, row.versions.length - 1),
      observed: found.observed,
    };
    if (found.anomaly === 'regressed' && row.last !== undefined) anomaly.before = row.last;
    return anomaly;
  }

  private judge(
    row: RowState,
    source: Readonly<Record<string, unknown>> | undefined,
    reading: IndexReading,
  ): { index?: number; anomaly?: AppendShape; observed: readonly string[] | string | null; committed?: string[] } {
    const { versions } = row;
    if (source === undefined) {
      // No document: before the first version, or a delete not older than what was shown.
      if (row.maxSeen <= -1) return { index: -1, observed: null };
      let latest: number | undefined;
      for (let i = 0; i < versions.length; i++) {
        if (versions[i]!.list !== null) continue;
        if (i >= row.maxSeen) return { index: i, observed: null };
        latest = i;
      }
      return { index: latest ?? -1, observed: null };
    }
    const raw = source[this.column];
    const list = tokenList(raw);
    if (list === undefined) return { anomaly: 'malformed', observed: JSON.stringify(raw) ?? 'undefined' };
    const text = JSON.stringify(list);
    const at = versions.findIndex((v) => v.list !== null && JSON.stringify(v.list) === text);
    if (at >= 0) {
      const v = versions[at]!;
      if (!v.possible) {
        const r = readSource<Row>(source, reading);
        // A field the index cannot hold as the row's is the comparison's finding, not an order anomaly.
        if (r.ok && this.fp(r.row) !== v.fp) return { anomaly: 'torn', observed: list, committed: [...v.list!] };
      }
      return { index: at, observed: list };
    }
    return { ...shapeOf(list, versions), observed: list };
  }
}

/** Why a list matches no version: judged against the incarnation its first token began, else the latest. */
function shapeOf(
  list: readonly string[],
  versions: readonly Version[],
): { anomaly?: AppendShape; committed: string[] } {
  const start = versions.findIndex((v) => v.list !== null && v.list[0] === list[0]);
  const committed = longestOf(versions, start >= 0 ? start : versions.length - 1);
  // A delete's null joins the set too: never a token, so it changes no answer.
  const mine = new Set<string | null>(versions.flatMap((v) => v.list));
  if (new Set(list).size !== list.length) return { anomaly: 'duplicated', committed };
  if (list.some((x) => !mine.has(x))) return { anomaly: 'foreign', committed };
  if (list.some((x) => !committed.includes(x))) return { anomaly: 'reordered', committed };
  // Every token is of this incarnation, once: in commit order with a gap is a loss, else a reordering.
  const positions = list.map((x) => committed.indexOf(x));
  const ordered = positions.every((p, i) => i === 0 || p > positions[i - 1]!);
  return { anomaly: ordered ? 'lost' : 'reordered', committed };
}

/** The longest list of the incarnation that version `i` belongs to (its last version before a delete). */
function longestOf(versions: readonly Version[], i: number): string[] {
  let from = i;
  while (from >= 0 && versions[from]!.list === null) from--;
  if (from < 0) return [];
  let best = versions[from]!.list!;
  for (let j = from + 1; j < versions.length && versions[j]!.list !== null; j++)
    if (versions[j]!.list!.length > best.length) best = versions[j]!.list!;
  return [...best];
}
