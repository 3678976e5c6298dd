import pg from 'pg';
import type { Endpoints } from './endpoints.ts';

/** One short-lived connection to the stack's Postgres (the harness's own, never through a proxy). */
export async function withPg<T>(ep: Endpoints, database: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ ...ep.pg, database, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** `products` or `schema.products`; quoted so it is never parsed as anything but an identifier. */
export function quoteTable(table: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/.test(table)) {
    throw new Error(`table must be an identifier or schema.identifier, got ${JSON.stringify(table)}`);
  }
  return table
    .split('.')
    .map((part) => `"${part}"`)
    .join('.');
}
