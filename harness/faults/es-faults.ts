import { EnvError } from '../util/errors.ts';
import { connectLogs, readFrom, sizeOf } from './connect-logs.ts';
import { defineFault } from './define.ts';
import { esBackPressureFault } from './es-pressure.ts';
import { witness } from './evidence.ts';
import type { Fault, FaultContext } from './fault.ts';
import type { FaultKind } from './kind.ts';

async function setWriteBlock(ctx: FaultContext, on: boolean): Promise<Response> {
  const url = `${ctx.endpoints.esUrl}/${encodeURIComponent(ctx.names.index)}/_settings`;
  try {
    return await fetch(url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ 'index.blocks.write': on }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new EnvError(
      `Elasticsearch at ${ctx.endpoints.esUrl} is unreachable ` +
        `(set index.blocks.write=${on} on ${ctx.names.index}): ${(err as Error).message}`,
    );
  }
}

/** Elasticsearch's answer to a write on a blocked index, as the sink logs it. */
export const WRITE_BLOCK_ANSWER = /cluster_block_exception|FORBIDDEN\/\d+\/index write/;

/**
 * index.blocks.write=true on the run's index, directly at Elasticsearch: searches work, every write gets
 * 403 cluster_block_exception, which sinks tend to treat as non-retriable.
 */
export function esReadOnlyFault(id: string): Fault {
  // Where each Connect log ended when the block went on: the sink's answers while it lasted come after.
  let marks: Map<string, number> | undefined;
  return defineFault({
    id,
    kind: 'es.read-only',
    target: 'elasticsearch',
    describe: () => 'index write block (index.blocks.write=true)',
    async inject(ctx) {
      marks = new Map(connectLogs(ctx).map((f) => [f, sizeOf(f)]));
      const r = await setWriteBlock(ctx, true);
      if (!r.ok)
        throw new EnvError(
          `setting a write block on index ${ctx.names.index} failed (HTTP ${r.status}): ${await r.text()}`,
        );
    },
    async repair(ctx) {
      if (marks) {
        const logs = [...marks];
        const hit = logs.find(([f, at]) => WRITE_BLOCK_ANSWER.test(readFrom(f, at)));
        witness(
          ctx,
          id,
          'es-rejected-writes',
          hit !== undefined,
          hit
            ? `the sink logged Elasticsearch's write-block answer (${hit[0]})`
            : logs.length
              ? `no write-block answer in the Connect log while the block was on: the sink wrote nothing then?`
              : 'no Connect log file to read (this provider keeps its logs elsewhere)',
        );
        marks = undefined;
      }
      const r = await setWriteBlock(ctx, false);
      // No index: no block to lift (the fault cannot have set one).
      if (!r.ok && r.status !== 404)
        throw new EnvError(
          `lifting the write block on index ${ctx.names.index} failed (HTTP ${r.status}): ${await r.text()}`,
        );
    },
  });
}

/** The Elasticsearch family: settings on the run's index, set directly at Elasticsearch. */
export const ES_KINDS: readonly FaultKind[] = [
  {
    kind: 'es.read-only',
    summary: 'write block on the index (sink gets 403 cluster_block_exception); heal lifts it',
    example: {},
    needs: 'api',
    topology: 'any',
    targets: ['elasticsearch'],
    defaultTarget: 'elasticsearch',
    params: [],
    instantaneous: false,
    evidence: ['es-rejected-writes'],
    build: (id) => esReadOnlyFault(id),
  },
  {
    kind: 'es.back-pressure',
    summary: 'held bulks fill the indexing memory, so the sink gets 429 rejections; heal releases them',
    example: {},
    needs: 'api',
    topology: 'any',
    targets: ['elasticsearch'],
    defaultTarget: 'elasticsearch',
    params: [
      {
        name: 'margin',
        unit: 'bytes',
        min: 32,
        doc: 'indexing memory left free (default 128): a bulk needing more is rejected',
      },
    ],
    instantaneous: false,
    evidence: ['es-answered-429'],
    build: (id, _t, p) => esBackPressureFault(id, (p['margin'] as number | undefined) ?? 128),
  },
];
