/**
 * The models of examples/orders/schema.sql as the catalog reads them (tables/driver.pg.test.ts holds the two
 * equal), so the unit tests run the generator on a real schema without a database.
 */
import type { TableModel } from '../../model/table.ts';

export const ORDERS_MODELS: TableModel[] = [
  {
    name: 'customers',
    key: ['customer_id'],
    columns: [
      { name: 'customer_id', type: { kind: 'int8' }, nullable: false, default: null, toastable: false },
      { name: 'email', type: { kind: 'text' }, nullable: false, default: null, toastable: true },
      {
        name: 'display_name',
        type: { kind: 'varchar', length: 120 },
        nullable: true,
        default: null,
        toastable: true,
      },
      { name: 'vip', type: { kind: 'bool' }, nullable: false, default: 'false', toastable: false },
      { name: 'preferences', type: { kind: 'jsonb' }, nullable: true, default: null, toastable: true },
      { name: 'signed_up', type: { kind: 'date' }, nullable: false, default: null, toastable: false },
    ],
    foreignKeys: [],
    replicaIdentity: 'full',
  },
  {
    name: 'orders',
    key: ['order_id'],
    columns: [
      { name: 'order_id', type: { kind: 'uuid' }, nullable: false, default: null, toastable: false },
      { name: 'customer_id', type: { kind: 'int8' }, nullable: false, default: null, toastable: false },
      {
        name: 'status',
        type: { kind: 'enum', name: 'order_status', labels: ['pending', 'paid', 'shipped', 'cancelled'] },
        nullable: false,
        default: null,
        toastable: false,
      },
      {
        name: 'total',
        type: { kind: 'numeric', precision: 12, scale: 4 },
        nullable: false,
        default: null,
        toastable: true,
      },
      {
        name: 'tags',
        type: { kind: 'array', element: { kind: 'text' } },
        nullable: true,
        default: null,
        toastable: true,
      },
      { name: 'receipt', type: { kind: 'bytea' }, nullable: true, default: null, toastable: true },
      { name: 'note', type: { kind: 'text' }, nullable: true, default: null, toastable: true },
      {
        name: 'placed_at',
        type: { kind: 'timestamptz', precision: null },
        nullable: false,
        default: null,
        toastable: false,
      },
    ],
    foreignKeys: [
      {
        name: 'orders_customer_id_fkey',
        columns: ['customer_id'],
        references: { table: 'customers', columns: ['customer_id'] },
        onDelete: 'cascade',
      },
    ],
    replicaIdentity: 'full',
  },
];
