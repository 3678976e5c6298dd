/**
 * The append column of a table (TableModel.append), after Elle's list-append: an insert writes a list of one
 * token, every update appends one more (`array_append`, in the statement that changes the rest of the row), and
 * no token is written twice in a run. Each committed version of a row is then named by its list alone, and a
 * list no commit made is a lost, duplicated or reordered write (check/appends.ts).
 */
import { formatPgType } from './pg-type.ts';
import type { Column, TableModel, Value } from './table.ts';

/** The column's list as the normalised row holds it (canonical JSON text), or undefined when it is not one. */
export function appendList(value: Value | undefined): string[] | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return tokenList(JSON.parse(value));
  } catch {
    return undefined;
  }
}

/** A document's list: an array of strings, else undefined. */
export function tokenList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((x) => typeof x === 'string') ? (value as string[]) : undefined;
}

/** The normalised value after an insert (`before` undefined) or an update appending `token`. */
export function appended(before: Value | undefined, token: string): string {
  const list = before === undefined ? [] : appendList(before);
  if (list === undefined) throw new Error(`an append column holds ${JSON.stringify(before)}, not a list`);
  return JSON.stringify([...list, token]);
}

/** The append column of `model`, checked: a text or varchar array that is not part of the key. */
export function appendColumnProblem(model: TableModel, name: string): string | undefined {
  const c: Column | undefined = model.columns.find((x) => x.name === name);
  if (c === undefined) return `${model.name} has no column ${name}`;
  if (model.key.includes(name)) return `${model.name}.${name} is part of the key`;
  const t = c.type;
  if (t.kind !== 'array' || (t.element.kind !== 'text' && t.element.kind !== 'varchar'))
    return `${model.name}.${name} is ${formatPgType(t)}, not text[]`;
  if (t.element.kind === 'varchar' && t.element.length !== null && t.element.length < 24)
    return `${model.name}.${name} is ${formatPgType(t)}: tokens need up to 24 characters`;
  if (c.lossy !== undefined) return `${model.name}.${name} is not compared (lossy)`;
  return undefined;
}
