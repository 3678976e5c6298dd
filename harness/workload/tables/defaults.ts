/**
 * The value a column's default gives, when it is a constant the workload can know without asking the server
 * (false, 0, 'pending'::order_status); undefined for anything the server computes (now(), nextval, a uuid).
 */
import type { Column, Value } from '../../model/table.ts';
import { intentOf } from './values.ts';

const QUOTED = /^'((?:[^']|'')*)'::[^']+$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

export function defaultIntent(column: Column): Value | undefined {
  let d = column.default;
  if (d === null) return undefined;
  while (d.startsWith('(') && d.endsWith(')')) d = d.slice(1, -1);
  if (d === 'true' || d === 'false') return intentOf(column, d === 'true');
  if (d === 'NULL' || d.startsWith('NULL::')) return column.nullable ? null : undefined;
  if (NUMBER.test(d)) return intentOf(column, d);
  const m = QUOTED.exec(d);
  if (m === null) return undefined;
  try {
    return intentOf(column, m[1]!.replaceAll("''", "'"));
  } catch {
    return undefined; // e.g. JSON the intent reader cannot parse
  }
}
