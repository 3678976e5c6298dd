/**
 * The Kafka Connect worker settings that change how a pipeline behaves, in one place for every stack (local
 * processes and containers), next to what stock Kafka would use. A user's pipeline that does not name its
 * converters must behave here as on a stock worker, so the converters are Kafka's defaults (JsonConverter
 * with schemas enabled, as Debezium's Connect image has them); the settings that do differ from stock are
 * listed with the reason, and every report shows them.
 */
export interface WorkerSetting {
  key: string;
  value: string;
  /** Kafka's default for the key ('' when Kafka has none, e.g. a required key). */
  stock: string;
  /** Why it differs from stock, when it does. */
  why?: string;
}

const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter';

export const WORKER_SETTINGS: readonly WorkerSetting[] = [
  { key: 'key.converter', value: JSON_CONVERTER, stock: '' },
  { key: 'value.converter', value: JSON_CONVERTER, stock: '' },
  { key: 'key.converter.schemas.enable', value: 'true', stock: 'true' },
  { key: 'value.converter.schemas.enable', value: 'true', stock: 'true' },
  {
    key: 'offset.flush.interval.ms',
    value: '1000',
    stock: '60000',
    why: 'commit source and sink offsets every second: a crash then replays at most ~1 s of events, not a minute',
  },
  {
    key: 'scheduled.rebalance.max.delay.ms',
    value: '0',
    stock: '300000',
    why:
      'a worker that leaves the group gets its tasks reassigned at once instead of after up to 5 minutes ' +
      '(with one worker, its restart would otherwise wait that long; with two, the survivor would wait that long ' +
      "before taking over a dead worker's tasks)",
  },
  {
    key: 'consumer.fetch.max.wait.ms',
    value: '100',
    stock: '500',
    why:
      'a sink task that is stopped (a reset, a restart, a rebalance) closes its consumer only once the fetch ' +
      'the broker is holding returns, up to this long, and the worker waits for it before anything else; ' +
      'records still arrive as soon as they exist (fetch.min.bytes 1), so only idle fetches get more frequent',
  },
  { key: 'task.shutdown.graceful.timeout.ms', value: '5000', stock: '5000' },
  // Failover, set explicitly at Kafka's values: a worker that stops heartbeating (killed, frozen, cut off) is
  // out of the group after session.timeout.ms, and its tasks move then (scheduled.rebalance.max.delay.ms 0).
  // A frozen worker resumed after that is a zombie until its next heartbeat tells it to rejoin.
  { key: 'session.timeout.ms', value: '10000', stock: '10000' },
  { key: 'heartbeat.interval.ms', value: '3000', stock: '3000' },
  { key: 'rebalance.timeout.ms', value: '60000', stock: '60000' },
];

/**
 * Connect's internal topics as the topology has them: replication factor 1 on one broker, 3 on a cluster
 * (min.insync.replicas=2 from the brokers), so that losing one broker loses no connector config, offset or status.
 */
export function internalTopicSettings(topology: 'single' | 'cluster' = 'single'): Record<string, string> {
  const rf = topology === 'cluster' ? '3' : '1';
  return {
    'config.storage.replication.factor': rf,
    'offset.storage.replication.factor': rf,
    'status.storage.replication.factor': rf,
    'offset.storage.partitions': '1',
    'status.storage.partitions': '1',
  };
}

/** The worker settings that differ from stock, with the reason: for reports and doctor. */
export function nonStockSettings(settings: readonly WorkerSetting[] = WORKER_SETTINGS): WorkerSetting[] {
  return settings.filter((s) => s.stock !== '' && s.value !== s.stock);
}

/** Kafka's defaults for worker keys a definition is likely to set (for reports; '' where none is listed here). */
const STOCK_OF: Readonly<Record<string, string>> = {
  'exactly.once.source.support': 'disabled',
  'connector.client.config.override.policy': 'All',
};

/** A definition's own worker settings (pipeline.yaml `worker:`), as the report lists the non-stock ones. */
export function definitionWorkerSettings(extra: Readonly<Record<string, string>> = {}): WorkerSetting[] {
  return Object.entries(extra).map(([key, value]) => ({
    key,
    value,
    stock: STOCK_OF[key] ?? '',
    why: "the definition's own (pipeline.yaml worker:)",
  }));
}

/** key → value, as a worker properties file or a container's environment takes them. */
export function workerSettingsMap(): Record<string, string> {
  return Object.fromEntries(WORKER_SETTINGS.map((s) => [s.key, s.value]));
}
