/**
 * What the application does after a transaction's outcome is known, for the pipeline kinds whose application
 * writes somewhere else too (see pipeline/kind.ts):
 *
 *   outbox, separate-transaction  the outbox rows in a second transaction on the same connection, from the
 *                                 new state the product commit returned. A failure (the connection dropped,
 *                                 the application crashed between the two) loses the rows: logged, not retried.
 *   dual-write                    the changed documents indexed (or deleted) in Elasticsearch, one call each.
 *                                 A failed or timed-out call is logged and given up.
 *
 * Either way, a product transaction the application saw fail or lose its connection (outcome failed or
 * unknown) is not followed by anything: the application believes it did not happen — which, for an unknown
 * outcome that did commit, is exactly the divergence such code ships.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { DocumentWriter } from '../pipeline/dual-write.ts';
import type { OutboxWrite, PipelineSpec } from '../pipeline/kind.ts';
import { EVENT_TYPES, OutboxSql, payloadOfProduct } from '../pipeline/outbox-sql.ts';
import type { Effect, Outcome } from '../record/history.ts';
import { errorText } from './outcome.ts';
import type { OutboxStatements } from './sql.ts';
import type { DriverStats } from './stats.ts';

/** How the workload's application writes, beyond its Postgres transaction. */
export type ApplicationWrites =
  | { kind: 'cdc' }
  | { kind: 'outbox'; outboxTable: string; write: OutboxWrite; deletes: PipelineSpec['outbox']['deletes'] }
  | { kind: 'dual-write'; esUrl: string; index: string; timeoutMs: number };

/** One transaction as the application saw it. */
export interface Committed {
  outcome: Outcome;
  effects: Effect[];
}

export type AfterCommit = (client: pg.Client, txn: Committed, drop: () => void) => Promise<void>;

/** The application writes of a pipeline definition, with the run's names and the es proxy's address. */
export function applicationWrites(
  spec: PipelineSpec,
  o: { outboxTable: string; esProxiedUrl: string; index: string },
): ApplicationWrites {
  if (spec.kind === 'outbox') return { kind: 'outbox', outboxTable: o.outboxTable, ...spec.outbox };
  if (spec.kind === 'dual-write')
    return { kind: 'dual-write', esUrl: o.esProxiedUrl, index: o.index, timeoutMs: spec.dualWrite.timeoutMs };
  return { kind: 'cdc' };
}

/** The outbox rows that go into the product statements themselves (same-transaction), if any. */
export function inTransactionOutbox(app: ApplicationWrites, table: string): OutboxStatements | undefined {
  if (app.kind !== 'outbox' || app.write !== 'same-transaction') return undefined;
  return { sql: new OutboxSql(table, app.outboxTable), deletes: app.deletes };
}

/** What runs after each transaction, or undefined when the application only writes Postgres in it. */
export function afterCommitFor(
  app: ApplicationWrites,
  table: string,
  stats: DriverStats,
  opTimeoutMs: number,
): AfterCommit | undefined {
  const skip = (txn: Committed, what: string): boolean => {
    if (txn.effects.length === 0) return true;
    if (txn.outcome === 'ok') return false;
    stats.app.skipped += txn.effects.length;
    stats.error(
      `${what} not written: the application saw its Postgres transaction ` +
        `${txn.outcome === 'failed' ? 'fail' : 'break off (outcome unknown)'}`,
    );
    return true;
  };
  if (app.kind === 'dual-write') {
    const writer = new DocumentWriter(app.esUrl, app.index, app.timeoutMs);
    return async (_client, txn) => {
      if (skip(txn, 'Elasticsearch documents')) return;
      for (const e of txn.effects) {
        const failure = e.after ? await writer.put(e.after, e.product_id) : await writer.remove(e.product_id);
        if (failure === undefined) stats.app.written++;
        else {
          stats.app.failed++;
          stats.error(`dual write to Elasticsearch failed, given up (the operation counts as committed): ${failure}`);
        }
      }
    };
  }
  if (app.kind !== 'outbox' || app.write !== 'separate-transaction') return undefined;
  const sql = new OutboxSql(table, app.outboxTable);
  return async (client, txn, drop) => {
    if (skip(txn, 'outbox rows')) return;
    const rows = txn.effects.map((e) => ({ id: randomUUID(), e }));
    const queries = [
      client.query('BEGIN'),
      ...rows.map(({ id, e }) =>
        client.query({
          name: 'oc_wl_outbox_event',
          text: sql.event(),
          values: [
            id,
            String(e.product_id),
            e.after ? EVENT_TYPES.upsert : EVENT_TYPES.delete,
            e.after ? payloadOfProduct(e.after) : null,
          ],
        }),
      ),
      client.query({ name: 'oc_wl_outbox_cleanup', text: sql.cleanup(), values: [rows.map((r) => r.id)] }),
      client.query('COMMIT'),
    ];
    const timer = setTimeout(drop, opTimeoutMs + 2_000);
    const settled = await Promise.allSettled(queries);
    clearTimeout(timer);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    const commit = settled[settled.length - 1];
    if (!failed && commit?.status === 'fulfilled' && commit.value.command === 'COMMIT') {
      stats.app.written += rows.length;
      return;
    }
    stats.app.failed += rows.length;
    stats.error(
      'outbox rows written after the commit were lost (the change never reaches Elasticsearch): ' +
        `${failed ? errorText(failed.reason) : 'COMMIT rolled back'}`,
    );
  };
}
