import { ConnectClient, type ConnectorConfig } from '../connect/client.ts';

/** What the consumer-lag observer measures: the sink's consumer group on the topics it reads. */
export type LagTarget = { group: string; topics: string[]; pattern?: RegExp } | { unmeasurable: string };

/**
 * The sink's topics and group as Connect runs it: `topics` (a list) or `topics.regex` (matched against the
 * whole topic name, as Kafka's subscribe does), and `consumer.override.group.id` or Connect's `connect-<name>`.
 * A pipeline definition may route the sink to any topic, so the default topic name cannot be assumed.
 */
export function lagTargetFrom(config: ConnectorConfig, sink: string): LagTarget {
  const group = config['consumer.override.group.id'] || `connect-${sink}`;
  const topics = (config.topics ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (topics.length) return { group, topics };
  const regex = config['topics.regex'];
  if (regex) {
    try {
      return { group, topics: [], pattern: new RegExp(`^(?:${regex})$`) };
    } catch (err) {
      return {
        unmeasurable:
          `the sink's topics.regex ${JSON.stringify(regex)} is not a pattern JavaScript reads ` +
          `(${(err as Error).message})`,
      };
    }
  }
  return { unmeasurable: `the sink connector ${sink} names no topics (neither topics nor topics.regex)` };
}

/**
 * Reads the sink's config from Connect. No answer throws (Connect may be down or rebalancing during a fault),
 * so the observer tries again on its next tick.
 */
export async function resolveLagTarget(connectUrl: string, sink: string): Promise<LagTarget> {
  const config = await new ConnectClient(connectUrl).config(sink);
  if (!config) throw new Error(`Connect did not give the config of ${sink} (GET /connectors/${sink}/config)`);
  return lagTargetFrom(config, sink);
}
