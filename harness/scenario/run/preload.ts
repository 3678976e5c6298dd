import { DocumentWriter } from '../../pipeline/dual-write.ts';
import type { PipelineDefinition } from '../../pipeline/definition.ts';
import { AGGREGATE_TYPE, EVENT_TYPES, payloadOfRow } from '../../pipeline/outbox-sql.ts';
import type { RunNames } from '../../pipeline/run-names.ts';
import type { Endpoints } from '../../stack/endpoints.ts';
import { withPg } from '../../stack/pg.ts';

const DOC_COLUMNS =
  'product_id, name, description, price::text AS price, ' +
  'floor(extract(epoch from created_at) * 1000)::bigint AS created_at';

/**
 * Rows that exist before the connector does, written the way the pipeline's application writes: an outbox
 * application's come with their outbox rows, kept (a backfill the relay's initial snapshot reads); a
 * dual-writing one indexes them itself.
 */
export async function preload(ep: Endpoints, def: PipelineDefinition, names: RunNames, rows: number): Promise<void> {
  if (rows <= 0) return;
  const t = `"${def.table}"`;
  await withPg(ep, ep.pg.database, async (c) => {
    await c.query('BEGIN');
    const r = await c.query<{ product_id: number }>(
      `INSERT INTO ${t} (name, description, price) ` +
        `SELECT 'preloaded ' || g, 'row ' || g || ' before the connector existed', (g % 1000) + 0.99 ` +
        `FROM generate_series(1, $1) g RETURNING product_id`,
      [rows],
    );
    if (def.pipeline.kind === 'outbox') {
      await c.query(
        `INSERT INTO "${names.outboxTable}" (id, aggregatetype, aggregateid, type, payload) ` +
          `SELECT gen_random_uuid(), '${AGGREGATE_TYPE}', p.product_id::text, '${EVENT_TYPES.upsert}', ` +
          `${payloadOfRow('p')} FROM ${t} p WHERE p.product_id = ANY($1)`,
        [r.rows.map((x) => x.product_id)],
      );
    }
    await c.query('COMMIT');
    if (def.pipeline.kind !== 'dual-write') return;
    const writer = new DocumentWriter(ep.esProxiedUrl, names.index, 10_000);
    const docs = await c.query<Record<string, unknown>>(`SELECT ${DOC_COLUMNS} FROM ${t} WHERE product_id = ANY($1)`, [
      r.rows.map((x) => x.product_id),
    ]);
    for (const d of docs.rows) await writer.put({ ...d, created_at: Number(d['created_at']) }, Number(d['product_id']));
  });
}
