/**
 * What an application of the outbox kind writes next to each product change: one row of Debezium's basic
 * outbox table (id, aggregatetype, aggregateid, type, payload). The payload is the product's new state as the
 * index holds it — the same document the cdc pipeline writes — and NULL for a delete, which the Outbox Event
 * Router turns into a tombstone (route.tombstone.on.empty.payload=true).
 *
 * The row is deleted again in the same transaction, as Debezium's outbox documentation describes: Debezium
 * reads the insert from the WAL, so the row never needs to be visible to anyone, the table stays empty, and no
 * cleanup job can fall behind. The router drops the DELETE events of the outbox table.
 */
import { quoteTable } from '../stack/pg.ts';

/** routed by `aggregatetype`: the topic is <prefix>.outbox.product (route.topic.replacement). */
export const AGGREGATE_TYPE = 'product';
export const EVENT_TYPES = { upsert: 'ProductUpserted', delete: 'ProductDeleted' } as const;

const COLUMNS = '(id, aggregatetype, aggregateid, type, payload)';

/**
 * The products row `alias` as a jsonb document: price as text and created_at as epoch ms,
 * as the cdc pipeline sends them.
 */
export function payloadOfRow(alias: string): string {
  return (
    `jsonb_build_object('product_id', ${alias}.product_id, ` +
    `'name', ${alias}.name, 'description', ${alias}.description, ` +
    `'price', ${alias}.price::text, 'created_at', floor(extract(epoch from ${alias}.created_at) * 1000)::bigint)`
  );
}

/**
 * The JSON document of a product (the same keys and types as payloadOfRow),
 * for an application that builds it itself.
 */
export function payloadOfProduct(p: {
  product_id: number;
  name: string;
  description: string | null;
  price: string;
  created_at: number | null;
}): string {
  return JSON.stringify({
    product_id: p.product_id,
    name: p.name,
    description: p.description,
    price: p.price,
    created_at: p.created_at,
  });
}

export class OutboxSql {
  readonly outbox: string;

  constructor(
    readonly products: string,
    outboxTable: string,
  ) {
    this.outbox = quoteTable(outboxTable);
  }

  /**
   * One statement: the product write `write` (an INSERT/UPDATE … or DELETE … without RETURNING) and its outbox
   * row, as data-modifying CTEs, so both happen or neither. Returns what `returning` selects from the written
   * row. The outbox row's id is the parameter `$<idParam>`; a delete's payload is NULL, or with
   * `delete-with-state` the deleted row's last state.
   */
  withEvent(
    write: string,
    returning: string,
    idParam: number,
    event: 'upsert' | 'delete' | 'delete-with-state',
  ): string {
    const isDelete = event !== 'upsert';
    const payload = event === 'delete' ? 'NULL::jsonb' : payloadOfRow('w');
    const type = isDelete ? EVENT_TYPES.delete : EVENT_TYPES.upsert;
    return (
      `WITH w AS (${write} RETURNING *), ` +
      `o AS (INSERT INTO ${this.outbox} ${COLUMNS} SELECT $${idParam}::uuid, ` +
      `'${AGGREGATE_TYPE}', w.product_id::text, '${type}', ${payload} FROM w) ` +
      `SELECT ${returning} FROM w`
    );
  }

  /** The outbox row of a product's current state, read from the table: $1 id, $2 product_id. */
  eventOfCurrentRow(): string {
    return (
      `INSERT INTO ${this.outbox} ${COLUMNS} SELECT $1::uuid, '${AGGREGATE_TYPE}', p.product_id::text, ` +
      `'${EVENT_TYPES.upsert}', ${payloadOfRow('p')} FROM ${quoteTable(this.products)} p WHERE p.product_id = $2`
    );
  }

  /**
   * An outbox row with the payload given: $1 id, $2 aggregateid (text), $3 type, $4 payload
   * (jsonb text, or null for a delete).
   */
  event(): string {
    return `INSERT INTO ${this.outbox} ${COLUMNS} VALUES ($1::uuid, '${AGGREGATE_TYPE}', $2, $3, $4::jsonb)`;
  }

  /** Removes the transaction's own outbox rows again: $1 their ids. */
  cleanup(): string {
    return `DELETE FROM ${this.outbox} WHERE id = ANY($1::uuid[])`;
  }
}
