/**
 * A run over a definition's own tables compares each table with its own index; the verdict is judged on the
 * totals. Pure: the per-table comparisons in, one comparison out, each example naming its table.
 */
import { ANOMALY_CLASSES, type Comparison, type TableComparison } from '../record/anomalies.ts';

export interface TablePart {
  table: string;
  index: string;
  comparison: Comparison;
}

/** The totals of several tables' comparisons: equal only when every table is, examples tagged with their table. */
export function mergeTableComparisons(parts: readonly TablePart[]): Comparison {
  if (parts.length === 0) throw new Error('mergeTableComparisons: no table');
  const counts = Object.fromEntries(ANOMALY_CLASSES.map((k) => [k, 0])) as Comparison['counts'];
  const examples = Object.fromEntries(ANOMALY_CLASSES.map((k) => [k, []])) as unknown as Comparison['examples'];
  const setupErrors: Comparison['setupErrors'] = { count: 0, examples: [] };
  const notCompared: string[] = [];
  const tables: TableComparison[] = [];
  let pgRows = 0;
  let esDocs = 0;
  let rowsExpected: number | undefined;
  for (const { table, index, comparison: c } of parts) {
    pgRows += c.pgRows;
    esDocs += c.esDocs;
    const own: TableComparison['counts'] = {};
    for (const k of ANOMALY_CLASSES) {
      const n = c.counts[k] ?? 0;
      counts[k] += n;
      if (n > 0) own[k] = n;
      examples[k].push(...(c.examples[k] ?? []).map((a) => ({ ...a, table })));
    }
    setupErrors.count += c.setupErrors.count;
    setupErrors.examples.push(...c.setupErrors.examples.map((e) => ({ ...e, table })));
    notCompared.push(...(c.notCompared ?? []));
    if (c.rowsExpected !== undefined) rowsExpected = (rowsExpected ?? 0) + c.rowsExpected;
    tables.push({
      table,
      index,
      equal: c.equal,
      pgRows: c.pgRows,
      esDocs: c.esDocs,
      counts: own,
      setupErrors: c.setupErrors.count,
      ...(c.rowsExpected !== undefined ? { rowsExpected: c.rowsExpected } : {}),
    });
  }
  return {
    equal: parts.every((p) => p.comparison.equal),
    pgRows,
    esDocs,
    counts,
    examples,
    setupErrors,
    ...(rowsExpected !== undefined ? { rowsExpected } : {}),
    ...(notCompared.length ? { notCompared } : {}),
    tables,
  };
}
