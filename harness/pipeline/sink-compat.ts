import { readFileSync } from 'node:fs';
import { registerSecretKeys } from '../util/redact.ts';
import { join } from 'node:path';
import type { ConnectorConfig } from '../connect/client.ts';
import { PROJECT_ROOT } from '../provision/paths.ts';
import type { SinkRun } from '../record/report.ts';
import { ConfigError } from '../util/errors.ts';

/** Confluent's Elasticsearch sink: the one most Debezium → Elasticsearch pipelines run in production. */
export const CONFLUENT_SINK_CLASS = 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector';
/** Ours, which behaves like Confluent's wherever a config depends on it (connectors/es-sink/README.md). */
export const OUR_SINK_CLASS = 'io.outboxchaos.es.ElasticsearchSinkConnector';

interface KeyInfo {
  type?: string;
  default: unknown;
  status: string;
}
interface Defaults {
  keys: Record<string, KeyInfo>;
  refused: { key: string; allowedValues: string[]; message: string }[];
}

let cached: Defaults | undefined;
/** Our sink's config keys with their defaults and status, kept in sync with its ConfigDef by a Java unit test. */
function defaults(): Defaults {
  cached ??= JSON.parse(
    readFileSync(join(PROJECT_ROOT, 'connectors', 'es-sink', 'config-defaults.json'), 'utf8'),
  ) as Defaults;
  registerSecretKeys(Object.keys(cached.keys).filter((k) => cached?.keys[k]?.type === 'PASSWORD'));
  return cached;
}

/** Which sink a definition asked for, which ran, and the config it ran with (defaults filled in). */
export type SinkChoice = SinkRun;

const isOurs = (cls: string): boolean => cls === OUR_SINK_CLASS || cls === 'ElasticsearchSinkConnector';

/**
 * The sink config that will run on a worker with these connector classes installed. A definition naming
 * Confluent's connector runs it where the worker has it; otherwise ours runs in its place, with the same keys,
 * and that is said in every report. Keys our sink cannot honour are refused here, each named, before anything
 * is registered.
 */
export function chooseSink(
  config: ConnectorConfig,
  file: string,
  installed: readonly string[],
): { config: ConnectorConfig; choice: SinkChoice } {
  const requested = config['connector.class'] ?? '';
  const confluent =
    requested === CONFLUENT_SINK_CLASS ||
    (requested === 'ElasticsearchSinkConnector' && !installed.includes(OUR_SINK_CLASS));
  const substituted = confluent && !installed.includes(CONFLUENT_SINK_CLASS);
  const ran = substituted ? OUR_SINK_CLASS : requested;
  const out = substituted ? { ...config, 'connector.class': OUR_SINK_CLASS } : config;
  if (!isOurs(ran))
    return { config: out, choice: { requested, ran, substituted, effective: { ...config }, ignored: [] } };
  const d = defaults();
  const refused = d.refused.filter((r) => out[r.key] !== undefined && !r.allowedValues.includes(out[r.key]!));
  if (refused.length) {
    throw new ConfigError(
      `${file}: ${refused.length === 1 ? 'a key' : 'keys'} the Elasticsearch sink that runs ` +
        `here (${OUR_SINK_CLASS}${substituted ? `, in place of ${requested}` : ''}) does not ` +
        `support:\n  ${refused.map((r) => `${r.key}=${out[r.key]}: ${r.message}`).join('\n  ')}`,
      'remove or change the keys named (connectors/es-sink/README.md has the compatibility ' +
        "table), or install Confluent's connector on the worker with --plugin-path",
    );
  }
  const effective: Record<string, string> = {};
  for (const [k, info] of Object.entries(d.keys))
    if (info.default !== null && info.default !== undefined) effective[k] = String(info.default);
  Object.assign(effective, out);
  const ignored = Object.keys(out).filter((k) => d.keys[k]?.status === 'ignored');
  return { config: out, choice: { requested, ran, substituted, effective, ignored } };
}

/** The sink's config with the defaults it runs with filled in (for doctor, from a registered connector's config). */
export function effectiveSinkConfig(config: ConnectorConfig): Record<string, string> {
  if (!isOurs(config['connector.class'] ?? '')) return { ...config };
  const effective: Record<string, string> = {};
  for (const [k, info] of Object.entries(defaults().keys))
    if (info.default !== null && info.default !== undefined) effective[k] = String(info.default);
  return Object.assign(effective, config);
}

/**
 * The index the sink writes to, from its config: a RegexRouter transform's replacement when it routes every
 * topic to one name, else our `index` key, else the one topic it reads, lower-cased as Elasticsearch sinks
 * name indices after topics. Undefined when it cannot be told (several topics, a regex), so the caller keeps
 * its own name.
 */
export function sinkTargetIndex(config: ConnectorConfig): string | undefined {
  for (const t of (config.transforms ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    if (config[`transforms.${t}.type`] === 'org.apache.kafka.connect.transforms.RegexRouter') {
      const regex = config[`transforms.${t}.regex`];
      const replacement = config[`transforms.${t}.replacement`];
      if ((regex === '.*' || regex === '(.*)') && replacement && !replacement.includes('$'))
        return replacement.toLowerCase();
      return undefined;
    }
  }
  if (config.index) return config.index;
  const topics = (config.topics ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (topics.length === 1 && !config['topics.regex']) return topics[0]!.toLowerCase().replace(/^[-_]+/, '');
  return undefined;
}
