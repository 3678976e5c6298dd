import { randomBytes, randomUUID } from 'node:crypto';
import { DocumentWriter } from '../pipeline/dual-write.ts';
import type { PipelineSpec } from '../pipeline/kind.ts';
import { OutboxSql } from '../pipeline/outbox-sql.ts';
import { summariseLag } from '../record/lag-summary.ts';
import type { LagSummary } from '../record/report.ts';
import type { Emit } from '../record/samples-file.ts';
import type { Endpoints } from '../stack/endpoints.ts';
import { quoteTable } from '../stack/pg.ts';
import { getVisibleDoc } from './es-get.ts';
import { searchHits } from './es-search.ts';
import { FailureLog, type LogLine } from './failure-log.ts';
import { startLoop } from './loop.ts';
import { ReconnectingPg } from './pg-conn.ts';
import { parseProbeName, ProbeLedger, probeName } from './probe-ledger.ts';

/** The marker row's product_id. The workload never uses 0 (SERIAL starts at 1); the checker excludes it. */
export const PROBE_ID = 0;

export interface LagProbeOptions {
  endpoints: Endpoints;
  /** Elasticsearch index the sink writes to. */
  index: string;
  emit: Emit;
  log: LogLine;
  /** Probe update period. Default 100 ms. */
  writeEveryMs?: number;
  /** Search period. Default 50 ms. */
  pollEveryMs?: number;
  /** How long stop() keeps searching for the last acknowledged seq. Default 5 s. */
  stopTimeoutMs?: number;
  /** The table the pipeline captures; default "products". */
  table?: string;
  /** Distinguishes this run's probe names; random by default. */
  token?: string;
  /**
   * How the pipeline's application writes (default cdc: the products row is all). The marker is written the
   * same way — with its outbox row in the same transaction, or indexed by the probe itself through the es proxy
   * for dual writes — so it travels the path the workload's changes travel.
   */
  pipeline?: { spec: PipelineSpec; outboxTable: string };
}

export interface ProbeSummary {
  committedSeq: number;
  visibleSeq: number;
  /** Whether the last acknowledged seq became visible before stop() gave up. */
  caughtUp: boolean;
  writes: number;
  writeFailures: number;
  polls: number;
  pollFailures: number;
  /** Achieved resolution: mean time between search starts (the configured period is a lower bound). */
  meanPollIntervalMs: number | null;
  meanWriteIntervalMs: number | null;
  /** Over the e2e-lag samples of this run. */
  lag: LagSummary;
}

export interface LagProbe {
  /** Age of the oldest committed-but-invisible seq now (grows through an outage); undefined before any ack. */
  lagMs(): number | undefined;
  /** Highest marker seq seen in a search so far (0 before the first): the pipeline is flowing once it is > 0. */
  visibleSeq(): number;
  stop(): Promise<ProbeSummary>;
}

/** Starts the end-to-end lag probe: writes a marker at a fixed rate and searches for it at a fixed rate. */
export function startLagProbe(opts: LagProbeOptions): LagProbe {
  const token = opts.token ?? randomBytes(4).toString('hex');
  const table = quoteTable(opts.table ?? 'products');
  const SQL_UPDATE = `UPDATE ${table} SET name = $2 WHERE product_id = $1`;
  const SQL_UPSERT =
    `INSERT INTO ${table} (product_id, name, description, price) VALUES ($1, $2, $3, 0) ` +
    `ON CONFLICT (product_id) DO UPDATE SET name = EXCLUDED.name`;
  const ledger = new ProbeLedger();
  const db = new ReconnectingPg({ ...opts.endpoints.pg, application_name: 'outbox-chaos-probe' });
  const writeLog = new FailureLog('probe-write', opts.log);
  const pollLog = new FailureLog('probe-search', opts.log);
  const lags: number[] = [];
  const writeStarts = new IntervalMeter();
  const pollStarts = new IntervalMeter();
  let seq = 0;
  let inserted = false;
  let polls = 0;

  const kind = opts.pipeline?.spec.kind ?? 'cdc';
  const outbox =
    kind === 'outbox' ? new OutboxSql(opts.table ?? 'products', opts.pipeline?.outboxTable ?? 'outbox') : undefined;
  const dual =
    kind === 'dual-write'
      ? new DocumentWriter(opts.endpoints.esProxiedUrl, opts.index, opts.pipeline?.spec.dualWrite.timeoutMs ?? 2000)
      : undefined;
  const DESCRIPTION = 'outbox-chaos end-to-end lag probe; not workload data';

  const write = async (): Promise<void> => {
    // During a reconnect backoff the tick is skipped, not counted as another failure.
    if (!db.ready()) return;
    writeStarts.mark(Date.now());
    const s = ++seq; // a seq whose write failed is never reused: it may have committed anyway
    const name = probeName(token, s);
    if (outbox) {
      const id = randomUUID();
      await db.transaction([
        { text: SQL_UPSERT, values: [PROBE_ID, name, DESCRIPTION] },
        { text: outbox.eventOfCurrentRow(), values: [id, PROBE_ID] },
        { text: outbox.cleanup(), values: [[id]] },
      ]);
    } else {
      const r = inserted ? await db.query(SQL_UPDATE, [PROBE_ID, name]) : undefined;
      if (!r || r.rowCount === 0) {
        // First write, or someone deleted the marker (a reset, a truncate): put it back.
        await db.query(SQL_UPSERT, [PROBE_ID, name, DESCRIPTION]);
        inserted = true;
      }
    }
    ledger.acked(s, Date.now());
    // A dual-writing application indexes after its commit; a failed call is what the lag then shows.
    const failed = dual ? await dual.put({ product_id: PROBE_ID, name }, PROBE_ID) : undefined;
    if (failed) throw new Error(`indexing the marker: ${failed}`);
    writeLog.ok();
  };

  const poll = async (): Promise<void> => {
    pollStarts.mark(Date.now());
    polls++;
    // By id first (cheap); a search only while that finds nothing: before the marker's first arrival, and
    // for a misconfigured sink that indexes under other ids (possibly several copies; the newest counts).
    const byId = await getVisibleDoc(opts.endpoints.esUrl, opts.index, String(PROBE_ID), ['name']);
    const sources = byId
      ? [byId]
      : (
          await searchHits(opts.endpoints.esUrl, opts.index, {
            size: 10,
            query: { term: { product_id: PROBE_ID } },
            _source: ['name'],
          })
        ).map((h) => h._source);
    const seenAt = Date.now();
    let visible = 0;
    for (const src of sources) visible = Math.max(visible, parseProbeName(src['name'], token) ?? 0);
    for (const sample of ledger.observe(visible, seenAt)) {
      if (sample.kind === 'e2e-lag') lags.push(sample.lagMs);
      opts.emit(sample);
    }
    opts.emit(ledger.probeSample(seenAt));
    pollLog.ok();
  };

  const writer = startLoop(opts.writeEveryMs ?? 100, write, (e) => writeLog.fail(e));
  const poller = startLoop(opts.pollEveryMs ?? 50, poll, (e) => pollLog.fail(e));

  return {
    lagMs: () => (ledger.committedSeq === 0 ? undefined : ledger.lagAt(Date.now())),
    visibleSeq: () => ledger.visibleSeq,
    async stop(): Promise<ProbeSummary> {
      await writer.stop();
      const deadline = Date.now() + (opts.stopTimeoutMs ?? 5000);
      while (!ledger.caughtUp() && Date.now() < deadline) await sleep(50);
      await poller.stop();
      await db.close();
      return {
        committedSeq: ledger.committedSeq,
        visibleSeq: ledger.visibleSeq,
        caughtUp: ledger.caughtUp(),
        writes: seq,
        writeFailures: writeLog.failures,
        polls,
        pollFailures: pollLog.failures,
        meanPollIntervalMs: pollStarts.mean(),
        meanWriteIntervalMs: writeStarts.mean(),
        lag: summariseLag(lags),
      };
    },
  };
}

/** Mean gap between marks. */
export class IntervalMeter {
  private first: number | undefined;
  private last: number | undefined;
  private n = 0;

  mark(t: number): void {
    this.first ??= t;
    this.last = t;
    this.n++;
  }

  mean(): number | null {
    return this.n < 2 || this.first === undefined || this.last === undefined
      ? null
      : (this.last - this.first) / (this.n - 1);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
