import { EnvError } from '../util/errors.ts';
import { defineFault } from './define.ts';
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

/**
 * index.blocks.write=true on the run's index, directly at Elasticsearch: searches work, every write gets
 * 403 cluster_block_exception, which sinks tend to treat as non-retriable.
 */
export function esReadOnlyFault(id: string): Fault {
  return defineFault({
    id,
    kind: 'es.read-only',
    target: 'elasticsearch',
    describe: () => 'index write block (index.blocks.write=true)',
    async inject(ctx) {
      const r = await setWriteBlock(ctx, true);
      if (!r.ok)
        throw new EnvError(
          `setting a write block on index ${ctx.names.index} failed (HTTP ${r.status}): ${await r.text()}`,
        );
    },
    async repair(ctx) {
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
];
