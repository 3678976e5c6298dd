import type { Effect, HistoryEntry, OpKind, Outcome, ProductRow } from '../record/history.ts';
import type { EsDoc } from '../record/anomalies.ts';

/**
 * Constructed states for the checker's unit tests and the benchmark: rows, histories and documents in the
 * encodings the pipeline can produce, without a stack.
 */

export function product(productId: number, overrides: Partial<Omit<ProductRow, 'product_id'>> = {}): ProductRow {
  return {
    product_id: productId,
    name: `Product ${productId}`,
    description: `Description of product ${productId}`,
    price: '19.99',
    created_at: 1_700_000_000_000 + productId * 1000,
    ...overrides,
  };
}

/** Appends history entries with increasing seq and ackMs, as one sequential worker would. */
export class HistoryRecorder {
  readonly entries: HistoryEntry[] = [];
  private clock = 1_700_000_000_000;

  insert(row: ProductRow, outcome: Outcome = 'ok'): HistoryEntry {
    return this.op('insert', [{ product_id: row.product_id, after: row }], outcome);
  }

  update(row: ProductRow, outcome: Outcome = 'ok'): HistoryEntry {
    return this.op('update', [{ product_id: row.product_id, after: row }], outcome);
  }

  delete(productId: number, outcome: Outcome = 'ok'): HistoryEntry {
    return this.op('delete', [{ product_id: productId, after: null }], outcome);
  }

  reinsert(row: ProductRow, outcome: Outcome = 'ok'): HistoryEntry {
    return this.op('reinsert', [{ product_id: row.product_id, after: row }], outcome);
  }

  txn(effects: Effect[], outcome: Outcome = 'ok'): HistoryEntry {
    return this.op('txn', effects, outcome);
  }

  private op(kind: OpKind, effects: Effect[], outcome: Outcome): HistoryEntry {
    const sendMs = this.clock++;
    const entry: HistoryEntry = {
      seq: this.entries.length,
      kind,
      worker: 0,
      request: { kind },
      // A failed op changed nothing; the history records no effects for it.
      effects: outcome === 'failed' ? [] : effects,
      sendMs,
      ackMs: this.clock++,
      outcome,
      ...(outcome === 'ok' ? {} : { error: outcome === 'failed' ? 'rejected' : 'connection reset' }),
    };
    this.entries.push(entry);
    return entry;
  }
}

/** How a document encodes price and created_at (see normalise.ts for what each form comes from). */
export interface DocForm {
  price?: 'string' | 'short-string' | 'number' | 'base64';
  createdAt?: 'ms' | 'micros' | 'iso' | 'iso-micros';
  productId?: 'number' | 'string';
  id?: string;
}

/** The document the sink should write for `row`, in the given encoding. */
export function docOf(row: ProductRow, form: DocForm = {}): EsDoc {
  return {
    _id: form.id ?? String(row.product_id),
    _source: {
      product_id: form.productId === 'string' ? String(row.product_id) : row.product_id,
      name: row.name,
      description: row.description,
      price: encodePrice(row.price, form.price ?? 'string'),
      created_at: row.created_at === null ? null : encodeTime(row.created_at, form.createdAt ?? 'ms'),
    },
  };
}

function encodePrice(price: string, form: NonNullable<DocForm['price']>): string | number {
  switch (form) {
    case 'string':
      return price;
    case 'short-string':
      return price.replace(/\.?0+$/, '');
    case 'number':
      return Number(price);
    case 'base64':
      return debeziumDecimalBase64(price);
  }
}

function encodeTime(ms: number, form: NonNullable<DocForm['createdAt']>): number | string {
  switch (form) {
    case 'ms':
      return ms;
    case 'micros':
      return ms * 1000 + 456; // sub-millisecond digits that the normalisation floors away
    case 'iso':
      return new Date(ms).toISOString();
    case 'iso-micros':
      return new Date(ms).toISOString().replace('Z', '456Z');
  }
}

/**
 * What Debezium's `decimal.handling.mode=precise` produces through the JSON converter: the unscaled value's
 * big-endian two's-complement bytes (Java's BigInteger.toByteArray), base64-encoded. "19.99" → "B88=".
 */
export function debeziumDecimalBase64(price: string): string {
  let v = BigInt(price.replace('.', ''));
  const bytes: number[] = [];
  for (;;) {
    const byte = Number(v & 0xffn);
    bytes.unshift(byte);
    v >>= 8n;
    const signBit = (byte & 0x80) !== 0;
    if ((v === 0n && !signBit) || (v === -1n && signBit)) break;
  }
  return Buffer.from(bytes).toString('base64');
}
