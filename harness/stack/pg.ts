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
