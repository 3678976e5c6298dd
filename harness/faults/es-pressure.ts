import { EnvError } from '../util/errors.ts';
import { markLogs, readFrom } from './connect-logs.ts';
import { defineFault } from './define.ts';
import { witness } from './evidence.ts';
import type { Fault, FaultContext } from './fault.ts';

/**
 * Indexing back-pressure, made the way Elasticsearch makes it: bulk requests from another indexer hold the
 * node's indexing memory (`indexing_pressure.memory.limit`, 10 % of the heap) until a new bulk no longer fits,
 * and Elasticsearch answers it HTTP 429 `es_rejected_execution_exception` (a coordinating rejection). The held
 * bulks target a scratch index whose one shard can be allocated nowhere, so they wait for it (up to their
 * timeout) without ever being indexed; deleting the index releases them. The limit is a node setting read at
 * start, so it is filled rather than lowered.
 */

/** The node's indexing-pressure figures (summed over nodes) from GET _nodes/stats/indexing_pressure. */
export interface Pressure {
  limit: number;
  current: number;
  rejections: number;
}

/** Reads the figures of a _nodes/stats/indexing_pressure answer; undefined when it has none. */
export function pressureOf(stats: unknown): Pressure | undefined {
  const nodes = (stats as { nodes?: Record<string, unknown> } | null)?.nodes;
  if (!nodes || typeof nodes !== 'object') return undefined;
  const out: Pressure = { limit: 0, current: 0, rejections: 0 };
  let found = false;
  for (const n of Object.values(nodes)) {
    const mem = (n as { indexing_pressure?: { memory?: Record<string, Record<string, number> | number> } })
      .indexing_pressure?.memory;
    if (!mem || typeof mem.limit_in_bytes !== 'number') continue;
    const cur = mem.current as Record<string, number> | undefined;
    const tot = mem.total as Record<string, number> | undefined;
    out.limit += mem.limit_in_bytes;
    out.current += cur?.combined_coordinating_and_primary_in_bytes ?? 0;
    out.rejections += (tot?.coordinating_rejections ?? 0) + (tot?.primary_rejections ?? 0);
    found = true;
  }
  return found ? out : undefined;
}

/**
 * The size of the next filler bulk: the headroom less half the margin and what Elasticsearch counts beyond a
 * one-document bulk's length (about 144 bytes on 9.2), so one step mostly finishes the fill (a sink bulk let in
 * while the fill grows can be rejected per item, a case the scenario is not after); at most FILL_CAP, and at
 * most half of the last size rejected. None once the headroom is below `margin`. Pure, for the tests.
 */
export function nextFill(headroom: number, lastRejected: number | undefined, margin: number): number | undefined {
  if (headroom < margin) return undefined;
  let size = Math.min(FILL_CAP, headroom - Math.floor(margin / 2) - FILL_OVERHEAD);
  if (lastRejected !== undefined) size = Math.min(size, Math.floor(lastRejected / 2));
  return size >= 16 ? size : undefined;
}

/** Bytes Elasticsearch counts for a one-document filler bulk beyond its length (measured: 144; some slack). */
export const FILL_OVERHEAD = 200;

/**
 * The largest filler bulk. Each holds one document: Elasticsearch reads a bulk of many documents in parts and,
 * under pressure, stops reading it until its first part is indexed (never, here), so only part of it counts.
 */
export const FILL_CAP = 8 * 1024 * 1024;

/** One bulk line pair whose document source is about `bytes` long. */
export function fillerBody(index: string, bytes: number): Buffer {
  const head = `{"index":{"_index":${JSON.stringify(index)}}}\n{"f":"`;
  return Buffer.concat([Buffer.from(head), Buffer.alloc(Math.max(1, bytes - 8), 0x7a), Buffer.from('"}\n')]);
}

/** A filler bulk on its way: its answer's status once it came (429 rejected; none yet: held). */
interface Filler {
  ac: AbortController;
  size: number;
  status?: number;
}

/** How long a held bulk waits for its shard at most: the backstop if the heal never deletes the index. */
const HOLD_TIMEOUT = '90s';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function es(ctx: FaultContext, method: string, path: string, body?: unknown): Promise<Response> {
  try {
    return await fetch(`${ctx.endpoints.esUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    throw new EnvError(`Elasticsearch at ${ctx.endpoints.esUrl} is unreachable (${method} ${path}): ${err}`);
  }
}

async function pressure(ctx: FaultContext): Promise<Pressure> {
  const r = await es(ctx, 'GET', '/_nodes/stats/indexing_pressure');
  const p = r.ok ? pressureOf(await r.json()) : undefined;
  if (!p) throw new EnvError(`Elasticsearch gave no indexing_pressure figures (HTTP ${r.status})`);
  return p;
}

/**
 * `es.back-pressure`: fills the node's indexing memory to within `margin` bytes of its limit for the fault's
 * duration, so the sink's bulks are answered 429. Its evidence is Elasticsearch's own count of coordinating
 * rejections while it lasted, less the filler's own, and the 429s the sink logged.
 */
export function esBackPressureFault(id: string, margin: number): Fault {
  let scratch: string | undefined;
  let before: Pressure | undefined;
  // Every filler bulk sent: one may be answered 429 after it looked held (Elasticsearch can count a bulk
  // twice while it reads it), so the filler's own rejections are counted from these at the heal.
  const sent: Filler[] = [];
  let logMarks: Map<string, number> | undefined;
  return defineFault({
    id,
    kind: 'es.back-pressure',
    target: 'elasticsearch',
    describe: () => `indexing memory filled to within ${margin} bytes of its limit (bulks answered 429)`,
    async inject(ctx) {
      logMarks = markLogs(ctx);
      scratch = `${ctx.names.index}-pressure-${Date.now()}`.toLowerCase();
      const made = await es(ctx, 'PUT', `/${encodeURIComponent(scratch)}?wait_for_active_shards=0`, {
        settings: {
          number_of_shards: 1,
          number_of_replicas: 0,
          'index.routing.allocation.require._name': 'outbox-chaos-nowhere',
        },
      });
      if (!made.ok) throw new EnvError(`creating the scratch index ${scratch} failed (HTTP ${made.status})`);
      before = await pressure(ctx);
      const send = (size: number) => {
        const ac = new AbortController();
        const out: Filler = { ac, size };
        sent.push(out);
        void fetch(`${ctx.endpoints.esUrl}/_bulk?timeout=${HOLD_TIMEOUT}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-ndjson' },
          body: bytesOf(fillerBody(scratch!, size)),
          signal: ac.signal,
        }).then(
          (r) => (out.status = r.status),
          () => (out.status = 0),
        );
        return out;
      };
      // Accepted bulks stay held and the node's figure grows as it reads them; a rejected one is answered.
      const settle = async (sent: { status?: number }[], target: number, ms: number): Promise<Pressure> => {
        let now = await pressure(ctx);
        for (const end = Date.now() + ms; now.current < target && Date.now() < end; now = await pressure(ctx)) {
          if (sent.every((b) => b.status !== undefined)) break;
          await sleep(50);
        }
        return now;
      };
      const keep = (b: Filler) => {
        if (b.status !== undefined && b.status !== 429)
          throw new EnvError(`a filler bulk of ${b.size} bytes was answered ${b.status || 'nothing'}, not held`);
      };
      // Most of the headroom at once, in parallel bulks of at most FILL_CAP bytes; then the rest one by one.
      const bulk = Math.floor((before.limit - before.current) * 0.95);
      const parts = Math.ceil(bulk / FILL_CAP);
      const first = Array.from({ length: parts }, () => send(Math.floor(bulk / parts)));
      let now = await settle(first, before.current + Math.floor(bulk * 0.8), 20_000);
      first.forEach(keep);
      let rejected: number | undefined;
      const deadline = Date.now() + 30_000;
      for (let size = nextFill(now.limit - now.current, rejected, margin); size !== undefined;) {
        if (Date.now() > deadline) throw new EnvError(`filling indexing memory took over 30 s (${describe(now)})`);
        const b = send(size);
        now = await settle([b], now.current + Math.floor(size / 2), 5_000);
        keep(b);
        if (b.status === 429) rejected = size;
        now = await pressure(ctx);
        size = nextFill(now.limit - now.current, rejected, margin);
      }
      return `filled: ${describe(now)}, ${sent.filter((b) => b.status === undefined).length} bulk(s) held`;
    },
    async repair(ctx) {
      const after = before ? await pressure(ctx).catch(() => undefined) : undefined;
      if (before && after) {
        const ownRejections = sent.filter((b) => b.status === 429).length;
        const n = after.rejections - before.rejections - ownRejections;
        const logged = count429(logMarks);
        witness(
          ctx,
          id,
          'es-answered-429',
          n > 0,
          `Elasticsearch rejected ${n} bulk request(s) (indexing_pressure coordinating/primary rejections, ` +
            `the filler's own ${ownRejections} excluded)` +
            (logged !== undefined ? `; the sink logged ${logged} retry(ies) after 429s (whole requests or items)` : ''),
        );
      }
      before = undefined;
      if (scratch) {
        const r = await es(ctx, 'DELETE', `/${encodeURIComponent(scratch)}`);
        if (!r.ok && r.status !== 404)
          throw new EnvError(`deleting the scratch index ${scratch} failed (HTTP ${r.status}): ${await r.text()}`);
        scratch = undefined;
      }
      for (const b of sent.splice(0)) b.ac.abort();
    },
  });
}

/** A Buffer as fetch's body type wants it, without copying (the first fill holds about 100 MB of them). */
function bytesOf(b: Buffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(b.buffer as ArrayBuffer, b.byteOffset, b.byteLength);
}

function describe(p: Pressure): string {
  return `${p.current} of ${p.limit} bytes in use`;
}

/**
 * The sink's retry lines written since the marks: after a whole-request 429, or after a 2xx whose items were
 * rejected (429 or 503 items; under this fault they are 429s). Undefined without a log to read.
 */
function count429(marks: Map<string, number> | undefined): number | undefined {
  if (!marks?.size) return undefined;
  let n = 0;
  for (const [file, at] of marks)
    n +=
      readFrom(file, at).match(/retry \d+\/\d+ in \d+ ms after: HTTP (?:429|2\d\d with \d+ of \d+ actions rejected)/g)
        ?.length ?? 0;
  return n;
}
