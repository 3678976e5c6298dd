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
  { key: 'offset.flush.interval.ms', value: '1000', stock: '60000', why: 'commit source and sink offsets every second: a crash then replays at most ~1 s of events, not a minute' },
  {
    key: 'scheduled.rebalance.max.delay.ms',
    value: '0',
    stock: '300000',
    why: 'a worker that leaves the group gets its tasks reassigned at once instead of after up to 5 minutes (with one worker, its restart would otherwise wait that long)',
  },
  { key: 'task.shutdown.graceful.timeout.ms', value: '5000', stock: '5000' },
];

/** The worker settings that differ from stock, with the reason: for reports and doctor. */
export function nonStockSettings(settings: readonly WorkerSetting[] = WORKER_SETTINGS): WorkerSetting[] {
  return settings.filter((s) => s.stock !== '' && s.value !== s.stock);
}

/** key → value, as a worker properties file or a container's environment takes them. */
export function workerSettingsMap(): Record<string, string> {
  return Object.fromEntries(WORKER_SETTINGS.map((s) => [s.key, s.value]));
}
