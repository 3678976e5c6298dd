import { randomBytes } from 'node:crypto';
import { hasConnectors, type PipelineSpec } from '../pipeline/kind.ts';
import type { RunNames } from '../pipeline/run-names.ts';
import type { Row } from '../model/table.ts';
import type { HistoryEntry } from '../record/history.ts';
import type { Sample } from '../record/samples.ts';
import { SampleWriter } from '../record/samples-file.ts';
import { connectUrls, type Endpoints } from '../stack/endpoints.ts';
import { warn } from '../util/log.ts';
import { startConnectorWatch, type ConnectorStateView, type ConnectorWatch } from './connectors.ts';
import { startConsumerLag, type ConsumerLagObserver } from './consumer-lag.ts';
import { startDocWatch, type DocWatchObserver } from './doc-watch.ts';
import type { WatchCoverage } from './regression-watch.ts';
import type { WatchedTable } from './watched-table.ts';
import { FailureLog, type LogLine } from './failure-log.ts';
import { startLagProbe, type LagProbe, type ProbeSummary } from './lag-probe.ts';
import { startProbeKafka, type ProbeKafkaObserver } from './probe-kafka.ts';
import { startOpLag, type OpLagObserver, type OpLagSummary } from './op-lag.ts';
import { OpRateMeter } from './op-rate.ts';
import { resolveLagTarget } from './sink-topics.ts';
import { startSlotLag, type SlotLagObserver } from './slot-lag.ts';

export type ObserverName = 'probe' | 'slot-lag' | 'consumer-lag' | 'connectors' | 'op-lag' | 'op-rate' | 'doc-watch';
export const ALL_OBSERVERS: readonly ObserverName[] = [
  'probe',
  'slot-lag',
  'consumer-lag',
  'connectors',
  'op-lag',
  'op-rate',
  'doc-watch',
];

export interface ObserverIntervals {
  /** Probe update period. Default 100 ms. */
  probeWriteMs: number;
  /** Probe search period. Default 50 ms. */
  probePollMs: number;
  /** Op-lag batched search period. Default 100 ms. */
  opLagMs: number;
  slotLagMs: number;
  consumerLagMs: number;
  connectorsMs: number;
  /** A connector sample at least this often, changed or not. Default 5000 ms. */
  connectorHeartbeatMs: number;
  opRateMs: number;
  /** Regression watch search period. Default 250 ms. */
  docWatchMs: number;
}

export const DEFAULT_INTERVALS: ObserverIntervals = {
  probeWriteMs: 100,
  probePollMs: 50,
  opLagMs: 100,
  slotLagMs: 1000,
  consumerLagMs: 1000,
  connectorsMs: 1000,
  connectorHeartbeatMs: 5000,
  opRateMs: 1000,
  docWatchMs: 250,
};

export interface ObserverOptions {
  /** Direct endpoints: the harness observes around the proxies, never through them. */
  endpoints: Endpoints;
  names: RunNames;
  /** Default "product-connector". */
  sourceConnector?: string;
  /** Default "elasticsearch-sink-connector"; consumer lag is measured on the topics and group its config names. */
  sinkConnector?: string;
  samplesPath: string;
  intervals?: Partial<ObserverIntervals>;
  /** Observers to run. Default all. */
  enabled?: readonly ObserverName[];
  /** Op-lag: keep 1 in N ops (default 20), at most maxPending (default 200) pending. */
  opSampleEvery?: number;
  maxPendingOps?: number;
  /** How long stopping waits for the probe's last seq to show. Default 5000 ms. */
  probeStopTimeoutMs?: number;
  /** Failure lines (at most one per observer per 10 s). Default: warnings on stderr. */
  log?: LogLine;
  /**
   * How the pipeline's application writes (default cdc). A dual-write pipeline has no slot, topic or connector to
   * watch.
   */
  pipeline?: PipelineSpec;
  /**
   * Also note when each probe marker reaches the sink's input topic (`probe-kafka` samples), for a per-hop
   * split of the lag. Off by default: it adds a Kafka consumer.
   */
  probeKafka?: boolean;
  /**
   * A definition's own tables (pipeline.yaml `tables:`): op-lag and doc-watch then run once per table, on its
   * index and its effects, instead of on products.
   */
  tables?: readonly WatchedTable[];
  /** The regression watch follows every product (a scenario's `watch: all`), not a sample. */
  watchAll?: boolean;
}

export interface LatestView {
  /** Age of the oldest committed-but-not-visible probe seq; undefined before the first ack. */
  probeLagMs: number | undefined;
  /** Highest probe marker seen in a search (0 before the first). */
  probeVisibleSeq: number;
  consumerLag: number | undefined;
  slotLagBytes: number | undefined;
  /** Whether a walsender holds the slot (undefined as for slotLagBytes). */
  slotActive: boolean | undefined;
  connectorStates: Record<string, ConnectorStateView>;
}

export interface ObserverSummary {
  probe?: ProbeSummary;
  /** Op-lag's figures (a definition's own tables: summed over them). */
  ops?: OpLagSummary;
  /** Op-lag's figures per own table. */
  opsByTable?: Record<string, OpLagSummary>;
  /** The regression watch's coverage per own table (the samples carry their sum). */
  watchByTable?: Record<string, WatchCoverage & { failures: number }>;
  samplesWritten: number;
  /** Lines lost because the samples file could not be written. */
  samplesDropped: number;
  /** Failed sampling attempts (missed samples) per observer. */
  failures: Partial<Record<ObserverName, number>>;
}

export interface Observers {
  /**
   * For op-lag: every acknowledged op, in ack order (1 in opSampleEvery is tracked). Passing `unknown` ops too
   * is allowed and makes superseding more exact; they are never sampled.
   */
  trackOp(entry: HistoryEntry<Row>): void;
  /** For op-rate: ops applied since the last call. */
  countOp(n?: number): void;
  /** Current figures for a live progress line; undefined where the latest attempt failed. */
  latest(): LatestView;
  /** Stops everything (idempotent), lets the probe's last seq show (bounded), flushes samples.jsonl. */
  stop(): Promise<ObserverSummary>;
}

/** Starts the enabled observers, all writing to one samples.jsonl. */
export function startObservers(opts: ObserverOptions): Observers {
  const iv = { ...DEFAULT_INTERVALS, ...opts.intervals };
  const relay = opts.pipeline ? hasConnectors(opts.pipeline) : true;
  const on = new Set(
    (opts.enabled ?? ALL_OBSERVERS).filter((n) => relay || !['slot-lag', 'consumer-lag', 'connectors'].includes(n)),
  );
  const log = opts.log ?? warn;
  const ep = opts.endpoints;
  const source = opts.sourceConnector ?? 'product-connector';
  const sink = opts.sinkConnector ?? 'elasticsearch-sink-connector';
  const writerLog = new FailureLog('samples-writer', log);
  const writer = new SampleWriter(opts.samplesPath, { onError: (e) => writerLog.fail(e) });
  const emit = writer.write;
  // One token for the probe's marker names, so the Kafka side can tell this run's markers apart.
  const token = randomBytes(4).toString('hex');

  const probe: LagProbe | undefined = on.has('probe')
    ? startLagProbe({
        endpoints: ep,
        index: opts.names.index,
        table: opts.names.table,
        token,
        emit,
        log,
        writeEveryMs: iv.probeWriteMs,
        pollEveryMs: iv.probePollMs,
        stopTimeoutMs: opts.probeStopTimeoutMs,
        ...(opts.pipeline ? { pipeline: { spec: opts.pipeline, outboxTable: opts.names.outboxTable } } : {}),
      })
    : undefined;
  const slot: SlotLagObserver | undefined = on.has('slot-lag')
    ? startSlotLag({ endpoints: ep, slot: opts.names.slot, emit, log, everyMs: iv.slotLagMs })
    : undefined;
  const consumer: ConsumerLagObserver | undefined = on.has('consumer-lag')
    ? startConsumerLag({
        kafkaBootstrap: ep.kafkaBootstrap,
        target: () => resolveLagTarget(connectUrls(ep), sink),
        emit,
        log,
        everyMs: iv.consumerLagMs,
      })
    : undefined;
  const kafkaProbe: ProbeKafkaObserver | undefined =
    probe && relay && opts.probeKafka
      ? startProbeKafka({
          kafkaBootstrap: ep.kafkaBootstrap,
          target: () => resolveLagTarget(connectUrls(ep), sink),
          token,
          emit,
          log,
        })
      : undefined;
  const connectors: ConnectorWatch | undefined = on.has('connectors')
    ? startConnectorWatch({
        connectUrl: connectUrls(ep),
        connectors: [source, sink],
        emit,
        log,
        everyMs: iv.connectorsMs,
        heartbeatMs: iv.connectorHeartbeatMs,
      })
    : undefined;
  // Products, or each of a definition's own tables (undefined: products).
  const watched: readonly (WatchedTable | undefined)[] = opts.tables ?? [undefined];
  const ops: (OpLagObserver | undefined)[] = watched.map((table) =>
    on.has('op-lag')
      ? startOpLag({
          esUrl: ep.esUrl,
          index: opts.names.index,
          ...(table ? { table } : {}),
          emit,
          log,
          everyMs: iv.opLagMs,
          sampleEvery: opts.opSampleEvery,
          maxPending: opts.maxPendingOps,
        })
      : undefined,
  );
  const coverage = summedCoverage(watched.length, emit);
  const docs: (DocWatchObserver | undefined)[] = watched.map((table, i) =>
    on.has('doc-watch')
      ? startDocWatch({
          esUrl: ep.esUrl,
          index: opts.names.index,
          ...(table ? { table } : {}),
          emit,
          log,
          everyMs: iv.docWatchMs,
          exhaustive: opts.watchAll === true,
          ...(watched.length > 1 ? { coverage: (t: number, c: WatchCoverage) => coverage(i, t, c) } : {}),
        })
      : undefined,
  );
  const route = router(opts.tables, ops, docs);
  const rate = new OpRateMeter(emit);
  if (on.has('op-rate')) rate.start(iv.opRateMs);

  let stopping: Promise<ObserverSummary> | undefined;

  return {
    trackOp: route,
    countOp: (n = 1) => rate.add(n),
    latest: () => ({
      probeLagMs: probe?.lagMs(),
      probeVisibleSeq: probe?.visibleSeq() ?? 0,
      consumerLag: consumer?.latestLag(),
      slotLagBytes: slot?.latestBytes(),
      slotActive: slot?.latestActive(),
      connectorStates: connectors?.states() ?? {},
    }),
    stop: () =>
      (stopping ??= (async () => {
        // The probe drains first (up to probeStopTimeoutMs), so the other curves cover its tail too.
        const [probeSummary, opsSummaries, docsSummaries] = await Promise.all([
          probe?.stop(),
          Promise.all(ops.map((o) => o?.stop())),
          Promise.all(docs.map((d) => d?.stop())),
        ]);
        const opsSummary = sumOps(opsSummaries);
        const docsFailures = docsSummaries.some((d) => d !== undefined)
          ? docsSummaries.reduce((n, d) => n + (d?.failures ?? 0), 0)
          : undefined;
        await Promise.all([slot?.stop(), consumer?.stop(), kafkaProbe?.stop(), connectors?.stop(), rate.stop()]);
        await writer.close();
        const failures: Partial<Record<ObserverName, number>> = {};
        if (slot) failures['slot-lag'] = slot.failures();
        if (consumer) failures['consumer-lag'] = consumer.failures();
        if (connectors) failures.connectors = connectors.failures();
        if (probeSummary) failures.probe = probeSummary.writeFailures + probeSummary.pollFailures;
        if (opsSummary) failures['op-lag'] = opsSummary.searchFailures;
        if (docsFailures !== undefined) failures['doc-watch'] = docsFailures;
        const byTable = <T>(xs: (T | undefined)[]): Record<string, T> | undefined =>
          opts.tables && xs.some((x) => x !== undefined)
            ? Object.fromEntries(opts.tables.flatMap((t, i) => (xs[i] ? [[t.name, xs[i]]] : [])))
            : undefined;
        const opsByTable = byTable(opsSummaries);
        const watchByTable = byTable(docsSummaries);
        return {
          probe: probeSummary,
          ops: opsSummary,
          ...(opsByTable ? { opsByTable } : {}),
          ...(watchByTable ? { watchByTable } : {}),
          samplesWritten: writer.written,
          samplesDropped: writer.dropped,
          failures,
        };
      })()),
  };
}

/**
 * trackOp: products' observers see every entry; with own tables, each entry goes to the observers of the tables
 * its effects name (an effect without a table: to every table's, which take only their own).
 */
function router(
  tables: readonly WatchedTable[] | undefined,
  ops: readonly (OpLagObserver | undefined)[],
  docs: readonly (DocWatchObserver | undefined)[],
): (entry: HistoryEntry<Row>) => void {
  if (tables === undefined) {
    const [op, doc] = [ops[0], docs[0]];
    return (entry) => {
      op?.track(entry);
      doc?.track(entry);
    };
  }
  const index = new Map(tables.map((t, i) => [t.name, i]));
  const all = tables.map((_, i) => i);
  return (entry) => {
    const to = new Set<number>();
    for (const e of entry.effects) {
      if (e.table === undefined) {
        for (const i of all) to.add(i);
        break;
      }
      const i = index.get(e.table);
      if (i !== undefined) to.add(i);
    }
    for (const i of to) {
      ops[i]?.track(entry);
      docs[i]?.track(entry);
    }
  };
}

/** The op-lag figures of several observers as one (undefined: none ran). */
function sumOps(xs: readonly (OpLagSummary | undefined)[]): OpLagSummary | undefined {
  const ran = xs.filter((x): x is OpLagSummary => x !== undefined);
  if (ran.length <= 1) return ran[0];
  const sum = { ...ran[0]! };
  for (const x of ran.slice(1)) for (const k of Object.keys(sum) as (keyof OpLagSummary)[]) sum[k] += x[k];
  return sum;
}

/**
 * One `doc-watch` sample for several watches: each one's latest coverage, summed (each grows, so the sum does,
 * and the report's largest coverage sample is still the last word). Rows watched, searches and polls add up;
 * the watch is exhaustive when every table's is.
 */
function summedCoverage(n: number, emit: (s: Sample) => void): (i: number, t: number, c: WatchCoverage) => void {
  const latest: (WatchCoverage | undefined)[] = new Array(n).fill(undefined);
  return (i, t, c) => {
    latest[i] = c;
    const sum = { products: 0, unwatched: 0, polls: 0, reads: 0, exhaustive: true };
    for (const x of latest) {
      if (x === undefined) {
        sum.exhaustive = false;
        continue;
      }
      sum.products += x.products;
      sum.unwatched += x.unwatched;
      sum.polls += x.polls;
      sum.reads += x.reads;
      sum.exhaustive &&= x.exhaustive;
    }
    emit({ t, kind: 'doc-watch', ...sum });
  };
}
