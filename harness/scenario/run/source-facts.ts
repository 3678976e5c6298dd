import { withPg } from '../../stack/pg.ts';
import type { RunContext } from './context.ts';

/** What the source database says about the run's slot and publication, for diagnoses. */

/** The run's slot when Postgres reports it lost (its WAL removed); undefined otherwise or when unreadable. */
export async function slotLost(ctx: RunContext): Promise<string | undefined> {
  const slot = ctx.plan.names.slot;
  const ep = ctx.provider.endpoints;
  const lost = await withPg(ep, ep.pg.database, (c) =>
    c.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND wal_status = 'lost'", [slot]),
  ).catch(() => undefined);
  return lost?.rowCount ? slot : undefined;
}

/** The run's table and publication when the table is partitioned and published under its partitions' names. */
export async function partitionedWithoutRoot(
  ctx: RunContext,
): Promise<{ table: string; publication: string } | undefined> {
  const { table, publication } = ctx.plan.names;
  const ep = ctx.provider.endpoints;
  const r = await withPg(ep, ep.pg.database, (c) =>
    c.query(
      'SELECT 1 FROM pg_publication p JOIN pg_publication_rel pr ON pr.prpubid = p.oid ' +
        "JOIN pg_class t ON t.oid = pr.prrelid WHERE p.pubname = $1 AND t.relname = $2 AND t.relkind = 'p' " +
        'AND NOT p.pubviaroot',
      [publication, table],
    ),
  ).catch(() => undefined);
  return r?.rowCount ? { table, publication } : undefined;
}

/** Partitions of the run's table whose replica identity is not FULL (none when it is not partitioned). */
export async function partitionsNotFull(ctx: RunContext): Promise<string[]> {
  const ep = ctx.provider.endpoints;
  const r = await withPg(ep, ep.pg.database, (c) =>
    c.query<{ name: string }>(
      'SELECT p.relname AS name FROM pg_inherits i JOIN pg_class t ON t.oid = i.inhparent ' +
        "JOIN pg_class p ON p.oid = i.inhrelid WHERE t.relname = $1 AND t.relkind = 'p' AND p.relreplident <> 'f' " +
        'ORDER BY 1',
      [ctx.plan.names.table],
    ),
  ).catch(() => undefined);
  return r?.rows.map((x) => x.name) ?? [];
}
