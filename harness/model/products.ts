import type { KeyedRow, TableModel } from './table.ts';

/**
 * The seed's products table, the harness's default (test/fixtures/pg-throwaway.ts's PRODUCTS_TABLE_DDL and the
 * healthy pipeline's schema.sql):
 *   product_id SERIAL PRIMARY KEY, name VARCHAR(255) NOT NULL, description TEXT,
 *   price NUMERIC(10, 2) NOT NULL, created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
 * The catalog reader gives this same model for that DDL (catalog.pg.test.ts).
 */
export const PRODUCTS: TableModel = {
  name: 'products',
  key: ['product_id'],
  columns: [
    {
      name: 'product_id',
      type: { kind: 'int4' },
      nullable: false,
      default: "nextval('products_product_id_seq'::regclass)",
      toastable: false,
    },
    { name: 'name', type: { kind: 'varchar', length: 255 }, nullable: false, default: null, toastable: true },
    { name: 'description', type: { kind: 'text' }, nullable: true, default: null, toastable: true },
    {
      name: 'price',
      type: { kind: 'numeric', precision: 10, scale: 2 },
      nullable: false,
      default: null,
      toastable: true,
    },
    {
      name: 'created_at',
      type: { kind: 'timestamp', precision: null },
      nullable: true,
      default: 'CURRENT_TIMESTAMP',
      toastable: false,
    },
  ],
  foreignKeys: [],
  replicaIdentity: 'default',
};

/** The products columns' normalised values. */
export type ProductColumns = {
  product_id: number;
  name: string;
  description: string | null;
  /** NUMERIC(10,2) as a canonical decimal string with exactly two fraction digits, e.g. "19.99". */
  price: string;
  /** TIMESTAMP (without time zone) as epoch milliseconds, the wall-clock value read as UTC. */
  created_at: number | null;
};

/** A products row, normalised: the generic keyed row of the products table. */
export type ProductRow = KeyedRow<ProductColumns, 'product_id'>;
