/**
 * The statements the driver sends and the normalisation of what they return. Every write carries RETURNING
 * with the whole row, so the history holds full post-states without a second read. An outbox application's
 * writes each carry their outbox row too, in the same statement.
 */
import type { OutboxDeletes } from '../pipeline/kind.ts';
import type { OutboxSql } from '../pipeline/outbox-sql.ts';
import type { ProductRow } from '../record/history.ts';
import { quoteTable } from '../stack/pg.ts';
import type { Step } from './ops.ts';

const COLUMNS =
  'product_id, name, description, price::text AS price, ' +
  'floor(extract(epoch from created_at) * 1000)::bigint AS created_at';

/** An outbox application: each product statement also writes the step's outbox row (see OutboxSql.withEvent). */
export interface OutboxStatements {
  sql: OutboxSql;
  deletes: OutboxDeletes;
}

export interface StatementConfig {
  /** Named, so each connection parses it once and then only binds and executes. */
  name: string;
  text: string;
  values: unknown[];
}

const UPDATE_COLUMNS = ['name', 'description', 'price'] as const;

export class Statements {
  private readonly t: string;
  private readonly insertText: string;
  private readonly deleteText: string;
  /** Index = bitmask of UPDATE_COLUMNS; a separate statement per subset so unchanged columns are not written. */
  private readonly updateTexts: string[] = [];

  constructor(
    readonly table: string,
    /** Set for an outbox application that writes its outbox rows in the product's own transaction. */
    readonly outbox?: OutboxStatements,
  ) {
    this.t = quoteTable(table);
    const finish = (write: string, params: number, event: 'upsert' | 'delete'): string => {
      const returning = event === 'delete' ? 'product_id' : COLUMNS;
      if (!outbox) return `${write} RETURNING ${returning}`;
      return outbox.sql.withEvent(
        write,
        returning,
        params + 1,
        event === 'delete' && outbox.deletes === 'last-state' ? 'delete-with-state' : event,
      );
    };
    // ON CONFLICT DO NOTHING: a reinsert after a delete that failed (or an insert over an id an unknown op
    // created) becomes a recorded 0-row no-op instead of an error that would abort the whole transaction.
    this.insertText = finish(
      `INSERT INTO ${this.t} (product_id, name, description, price) VALUES ($1, $2, $3, $4) ` +
        'ON CONFLICT (product_id) DO NOTHING',
      4,
      'upsert',
    );
    this.deleteText = finish(`DELETE FROM ${this.t} WHERE product_id = $1`, 1, 'delete');
    for (let mask = 0; mask < 8; mask++) {
      const sets = UPDATE_COLUMNS.filter((_, i) => mask & (1 << i)).map((c, i) => `${c} = $${i + 2}`);
      this.updateTexts.push(
        finish(`UPDATE ${this.t} SET ${sets.join(', ')} WHERE product_id = $1`, sets.length + 1, 'upsert'),
      );
    }
  }

  /** The statement of one step; an outbox application's also writes the outbox row `outboxId`. */
  forStep(step: Step, outboxId?: string): StatementConfig {
    const c = this.productStatement(step);
    if (!this.outbox) return c;
    if (outboxId === undefined)
      throw new Error(`step on ${step.product_id}: an outbox statement needs the outbox row's id`);
    return { name: `${c.name}_ob`, text: c.text, values: [...c.values, outboxId] };
  }

  /** The transaction's last statement for an outbox application: its own outbox rows deleted again. */
  outboxCleanup(ids: string[]): StatementConfig {
    if (!this.outbox) throw new Error('outboxCleanup without an outbox');
    return { name: 'oc_wl_outbox_cleanup', text: this.outbox.sql.cleanup(), values: [ids] };
  }

  private productStatement(step: Step): StatementConfig {
    switch (step.kind) {
      case 'insert':
      case 'reinsert': {
        const v = step.values;
        return {
          name: 'oc_wl_insert',
          text: this.insertText,
          values: [step.product_id, v.name, v.description, v.price],
        };
      }
      case 'delete':
        return { name: 'oc_wl_delete', text: this.deleteText, values: [step.product_id] };
      case 'update': {
        let mask = 0;
        const values: unknown[] = [step.product_id];
        UPDATE_COLUMNS.forEach((col, i) => {
          if (col in step.set) {
            mask |= 1 << i;
            values.push(step.set[col]);
          }
        });
        if (mask === 0) throw new Error(`update of ${step.product_id} sets no column`);
        return { name: `oc_wl_update_${mask}`, text: this.updateTexts[mask] as string, values };
      }
    }
  }
}

/** NUMERIC as a canonical two-fraction-digit string ("5" → "5.00", "19.9" → "19.90"). */
export function normalisePrice(raw: string): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(raw.trim());
  if (!m) return raw;
  const int = (m[2] ?? '').replace(/^0+(?=\d)/, '') || '0';
  let frac = (m[3] ?? '').padEnd(2, '0');
  if (frac.length > 2 && /^0+$/.test(frac.slice(2))) frac = frac.slice(0, 2);
  return `${m[1] ?? ''}${int}.${frac}`;
}

/** A RETURNING row → ProductRow (price as 2-decimal string, created_at as epoch ms). */
export function toProductRow(row: Record<string, unknown>): ProductRow {
  const price = row['price'];
  const createdAt = row['created_at'];
  const description = row['description'];
  return {
    product_id: Number(row['product_id']),
    name: String(row['name']),
    description: description === null || description === undefined ? null : String(description),
    price: normalisePrice(String(price)),
    created_at: createdAt === null || createdAt === undefined ? null : Number(createdAt),
  };
}
