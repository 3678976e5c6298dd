import { diagnose } from '../../check/diagnose.ts';
import type { Observers } from '../../observe/observers.ts';
import { searchHits } from '../../observe/es-search.ts';
import type { PipelineDefinition } from '../../pipeline/definition.ts';
import type { EsDoc } from '../../record/anomalies.ts';
import { topicRecords } from '../../stack/kafka-admin.ts';
import { fmtMs } from '../progress.ts';
import type { RunContext } from './context.ts';
import { partitionedWithoutRoot } from './source-facts.ts';

/** What the warm-up found. */
export interface WarmUp {
  /** Why the warm-up failed, when it did: a healthy expectation then fails. */
  failure?: string;
  /** A few documents the index held when the warm-up last looked (for the diagnosis of a mangling pipeline). */
  indexSample?: EsDoc[];
  notes: string[];
}

/**
 * The probe's first marker must come through before the clock starts: the pipeline is flowing. While it waits,
 * the index is looked at every few seconds: documents in a form the pipeline mangled (a Debezium envelope, a
 * schema wrapper) end the wait at once, with the diagnosis, instead of after the full minute.
 */
export async function warmUp(
  ctx: RunContext,
  def: PipelineDefinition,
  observers: Observers,
  timeoutMs = 60_000,
): Promise<WarmUp> {
  if (ctx.o.scenario.registerDuringWorkload) return { notes: [] };
  if (def.tables) return warmUpOwnTables(ctx, observers, timeoutMs);
  const { esUrl } = ctx.provider.endpoints;
  const index = ctx.plan.names.index;
  let indexSample: EsDoc[] | undefined;
  const sample = async (): Promise<EsDoc[]> =>
    (indexSample = (await searchHits(esUrl, index, { size: 5 }).catch(() => [])).map((h) => ({
      _id: h._id,
      _source: h._source,
    })));
  const fail = (why: string): WarmUp => ({ failure: why, indexSample, notes: [`warm-up: ${why}`] });
  const t0 = Date.now();
  let lastLook = t0;
  while (observers.latest().probeVisibleSeq === 0) {
    if (ctx.abort.signal.aborted) return { indexSample, notes: [] };
    if (Date.now() - t0 > timeoutMs) {
      const seen = await sample();
      return fail(
        `timed out after ${Math.round(timeoutMs / 1000)} s` +
          ` waiting for the lag probe to see its first marker in Elasticsearch` +
          ` (the index holds ${seen.length ? 'documents, none of them the marker' : 'no document'})`,
      );
    }
    const failed = Object.entries(observers.latest().connectorStates).filter(
      ([, v]) => v.state === 'FAILED' || v.tasks.some((t) => t.includes('FAILED')),
    );
    if (failed.length)
      return fail(
        `after ${fmtMs(Date.now() - t0)}, ${failed.map(([name]) => name).join(' and ')}` +
          ` FAILED before anything became searchable (the trace is in the report's connectors)`,
      );
    if (Date.now() - lastLook >= 5000) {
      lastLook = Date.now();
      const seen = await sample();
      // A partitioned table published under its partitions' names: no change will ever come through.
      const partitioned = await partitionedWithoutRoot(ctx);
      if (partitioned)
        return fail(
          `after ${fmtMs(Date.now() - t0)}, nothing came through: ${partitioned.table} is partitioned and ` +
            `publication ${partitioned.publication} publishes its changes under the partitions' names ` +
            '(publish_via_partition_root = false), tables the connector does not capture',
        );
      const found = diagnose({ counts: {}, examples: {}, indexSample: seen });
      if (found.length)
        return fail(
          `after ${fmtMs(Date.now() - t0)},` +
            ` the index holds documents the pipeline mangled: ${found.map((d) => d.signature).join('; ')}`,
        );
      const dlq = def.sink.config['errors.deadletterqueue.topic.name'];
      const dead = dlq && !seen.length ? await topicRecords(ctx.provider.endpoints.kafkaBootstrap, dlq) : 0;
      if (dead)
        return fail(
          `after ${fmtMs(Date.now() - t0)}, ${dead} record(s)` +
            ` went to the sink's dead-letter queue ${dlq} and none to Elasticsearch`,
        );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { indexSample, notes: [] };
}

/**
 * The pipeline flows when both connectors and their tasks are RUNNING and the source's slot is active (the
 * tables are empty, so the initial snapshot is over at once). Without a probe row of its own, a definition's
 * tables are not written before the workload.
 */
async function warmUpOwnTables(ctx: RunContext, observers: Observers, timeoutMs: number): Promise<WarmUp> {
  const t0 = Date.now();
  const { source, sink } = ctx.plan.connectors;
  const fail = (why: string): WarmUp => ({ failure: why, notes: [`warm-up: ${why}`] });
  for (;;) {
    if (ctx.abort.signal.aborted) return { notes: [] };
    const l = observers.latest();
    const states = [l.connectorStates[source], l.connectorStates[sink]];
    const failed = Object.entries(l.connectorStates).filter(
      ([, v]) => v.state === 'FAILED' || v.tasks.some((t) => t.includes('FAILED')),
    );
    if (failed.length)
      return fail(
        `after ${fmtMs(Date.now() - t0)}, ${failed.map(([name]) => name).join(' and ')} FAILED before the workload`,
      );
    const running = states.every(
      (s) => s?.state === 'RUNNING' && s.tasks.length > 0 && s.tasks.every((t) => t.includes('RUNNING')),
    );
    if (running && l.slotActive === true) return { notes: [] };
    if (Date.now() - t0 > timeoutMs)
      return fail(
        `timed out after ${Math.round(timeoutMs / 1000)} s waiting for both connectors to run and the slot to stream`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}
