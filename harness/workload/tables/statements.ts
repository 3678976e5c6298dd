/**
 * The statements of the table workload. Every parameter is cast to its column's type, so text forms of any value
 * are read by Postgres; inserts and updates return the row the way the snapshot reader selects it (timestamps as
 * epoch ms, the rest as text), so the history's rows normalise exactly like the final snapshot's.
 */
import { normaliseSource } from '../../check/normalise.ts';
import { snapshotExpressions } from '../../check/read-pg.ts';
import { quoteIdent } from '../../model/codecs.ts';
import { formatPgType, type PgType } from '../../model/pg-type.ts';
import type { Row, TableModel } from '../../model/table.ts';
import { quoteTable } from '../../stack/pg.ts';
import type { StatementConfig } from '../sql.ts';
import type { TableStep } from './ops.ts';

interface Prepared {
  model: TableModel;
  quoted: string;
  types: Map<string, string>;
  returning: string;
  /** The append column's element type, as a cast (model/append.ts); '' without one. */
  element: string;
  /** Statement texts by name, built on first use. */
  texts: Map<string, string>;
  prefix: string;
}

export class TableStatements {
  private readonly byName = new Map<string, Prepared>();

  constructor(readonly tables: readonly TableModel[]) {
    for (const model of tables) {
      const types = new Map(model.columns.map((c) => [c.name, castType(c.type)]));
      const returning = snapshotExpressions(model)
        .map((s) => `${s.expr} AS ${quoteIdent(s.name)}`)
        .join(', ');
      this.byName.set(model.name, {
        model,
        quoted: quoteTable(model.name),
        types,
        returning,
        element: appendElement(model),
        texts: new Map(),
        prefix: `oc_wt_${shortHash(model.name)}`,
      });
    }
  }

  model(table: string): TableModel {
    return this.of(table).model;
  }

  /**
   * The statement of one step. Named per table, kind and column subset (≤ 63 characters, the same in every run),
   * so each connection parses it once.
   */
  forStep(step: TableStep): StatementConfig {
    const p = this.of(step.table);
    const { model } = p;
    const ordered = (r: Record<string, unknown>): string[] =>
      model.columns.map((c) => c.name).filter((c) => Object.hasOwn(r, c));
    switch (step.kind) {
      case 'insert':
      case 'reinsert': {
        const cols = ordered(step.values);
        const name = `${p.prefix}_i_${shortHash(cols.join(','))}`;
        const text = this.text(p, name, () => {
          const params = cols.map((c, i) =>
            c === model.append ? `ARRAY[$${i + 1}::${p.element}]::${p.types.get(c)!}` : `$${i + 1}::${p.types.get(c)!}`,
          );
          // ON CONFLICT DO NOTHING: a reinsert over a row whose delete failed is a recorded 0-row no-op instead of
          // an error that would abort the whole transaction.
          return (
            `INSERT INTO ${p.quoted} (${cols.map(quoteIdent).join(', ')}) VALUES (${params.join(', ')}) ` +
            `ON CONFLICT DO NOTHING RETURNING ${p.returning}`
          );
        });
        return { name, text, values: cols.map((c) => step.values[c]) };
      }
      case 'update': {
        const cols = ordered(step.set);
        if (cols.length === 0) throw new Error(`update of ${step.table} ${step.key} sets no column`);
        const name = `${p.prefix}_u_${shortHash(cols.join(','))}`;
        const text = this.text(p, name, () => {
          const k = model.key.length;
          // The append column gains the step's token where the row is: the list is the database's, not a belief.
          const sets = cols.map((c, i) =>
            c === model.append
              ? `${quoteIdent(c)} = array_append(${quoteIdent(c)}, $${k + i + 1}::${p.element})`
              : `${quoteIdent(c)} = $${k + i + 1}::${p.types.get(c)!}`,
          );
          return `UPDATE ${p.quoted} SET ${sets.join(', ')} WHERE ${this.where(p)} RETURNING ${p.returning}`;
        });
        return { name, text, values: [...model.key.map((c) => step.where[c]), ...cols.map((c) => step.set[c])] };
      }
      case 'delete': {
        const name = `${p.prefix}_d`;
        const text = this.text(
          p,
          name,
          () =>
            `DELETE FROM ${p.quoted} WHERE ${this.where(p)}${this.childless(p)} ` +
            `RETURNING ${model.key.map(quoteIdent).join(', ')}`,
        );
        return { name, text, values: model.key.map((c) => step.where[c]) };
      }
    }
  }

  /** A RETURNING row of `table` → its normalised row (as the snapshot reader normalises it). */
  normalise(table: string, raw: Record<string, unknown>): Row {
    const model = this.of(table).model;
    const r = normaliseSource<Row>(raw, undefined, model);
    if (!r.ok) throw new Error(`RETURNING row of ${model.name}: ${r.field} ${JSON.stringify(r.value)} is ${r.reason}`);
    return r.row;
  }

  /**
   * A row is deleted only once no row of a captured table names it: the generator deletes the children it
   * believes live first, but after a failed or unknown op a child it believes gone may still be there, and a
   * cascade would then delete it without the history hearing of it (RETURNING does not report cascaded rows).
   * The delete then matches 0 rows (recorded as a no-op) instead.
   */
  private childless(p: Prepared): string {
    const out: string[] = [];
    for (const child of this.byName.values())
      for (const fk of child.model.foreignKeys) {
        if (fk.references.table !== p.model.name) continue;
        const match = fk.columns.map((c, j) => {
          const i = p.model.key.indexOf(fk.references.columns[j]!);
          if (i < 0) throw new Error(`${child.model.name}.${fk.name}: references a column outside the key`);
          return `${quoteIdent(c)} = $${i + 1}::${p.types.get(p.model.key[i]!)!}`;
        });
        out.push(` AND NOT EXISTS (SELECT 1 FROM ${child.quoted} WHERE ${match.join(' AND ')})`);
      }
    return out.join('');
  }

  private where(p: Prepared): string {
    return p.model.key.map((c, i) => `${quoteIdent(c)} = $${i + 1}::${p.types.get(c)!}`).join(' AND ');
  }

  private text(p: Prepared, name: string, build: () => string): string {
    let t = p.texts.get(name);
    if (t === undefined) {
      t = build();
      p.texts.set(name, t);
    }
    return t;
  }

  private of(table: string): Prepared {
    const p = this.byName.get(table);
    if (p === undefined) throw new Error(`no model of table ${table}`);
    return p;
  }
}

/** The type as a cast: an enum's name quoted (it may need quoting), arrays of it too. */
export function castType(t: PgType): string {
  if (t.kind === 'enum') return t.name.split('.').map(quoteIdent).join('.');
  if (t.kind === 'array') return `${castType(t.element)}[]`;
  return formatPgType(t);
}

function appendElement(model: TableModel): string {
  const t = model.columns.find((c) => c.name === model.append)?.type;
  return t?.kind === 'array' ? castType(t.element) : '';
}

/** FNV-1a, 32 bits, as 8 hex digits: short stable statement names. */
export function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}
