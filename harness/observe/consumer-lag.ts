import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { Emit } from '../record/samples-file.ts';
import { bootstrapList } from '../stack/kafka-admin.ts';
import { FailureLog, type LogLine } from './failure-log.ts';
import { startLoop } from './loop.ts';
import type { LagTarget } from './sink-topics.ts';

export interface PartitionEnd {
  partition: number;
  /** Next offset to be written (kafkajs `high`), as kafkajs gives it: a decimal string. */
  high: string;
  low: string;
}

export interface PartitionCommitted {
  partition: number;
  /** "-1" when the group has committed nothing for the partition. */
  offset: string;
}

export interface ConsumerLagTotals {
  lag: number;
  endOffset: number;
  committed: number;
}

/**
 * Sums end offset minus committed offset over partitions. A partition without a commit counts from its low
 * watermark: Connect's sink consumers start from the earliest record (auto.offset.reset=earliest).
 */
export function consumerLagTotals(
  ends: readonly PartitionEnd[],
  committed: readonly PartitionCommitted[],
): ConsumerLagTotals {
  const byPartition = new Map(committed.map((c) => [c.partition, Number(c.offset)]));
  let lag = 0;
  let endOffset = 0;
  let committedSum = 0;
  for (const e of ends) {
    const high = Number(e.high);
    const low = Number(e.low);
    const c = byPartition.get(e.partition);
    const from = c === undefined || c < 0 ? low : c;
    endOffset += high;
    committedSum += from;
    lag += Math.max(0, high - from);
  }
  return { lag, endOffset, committed: committedSum };
}

export interface ConsumerLagOptions {
  kafkaBootstrap: string;
  /** The sink's group and topics, read once (from its config at Connect); a throw is retried next tick. */
  target: () => Promise<LagTarget>;
  emit: Emit;
  log: LogLine;
  /** Default 1000 ms. */
  everyMs?: number;
}

export interface ConsumerLagObserver {
  latestLag(): number | undefined;
  failures(): number;
  stop(): Promise<void>;
}

/** Samples the sink consumer group's lag on the topics it reads, through one kafkajs admin client. */
export function startConsumerLag(opts: ConsumerLagOptions): ConsumerLagObserver {
  // Short timeouts and one retry: a sample that cannot be taken within its period is a missed sample.
  const kafka = new Kafka({
    clientId: 'outbox-chaos-observe',
    brokers: bootstrapList(opts.kafkaBootstrap),
    logLevel: logLevel.NOTHING, // failures are reported through FailureLog, rate-limited
    connectionTimeout: 2000,
    requestTimeout: 4000,
    retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1000 },
  });
  const admin: Admin = kafka.admin();
  const failures = new FailureLog('consumer-lag', opts.log);
  const said = new Set<string>();
  // What the observer cannot measure is said once, not every few seconds for the whole run.
  const once = (msg: string): void => {
    if (!said.has(msg)) opts.log(`observe/consumer-lag: ${msg}`);
    said.add(msg);
  };
  let connected = false;
  let latest: number | undefined;
  let target: LagTarget | undefined;

  const sample = async (t: Exclude<LagTarget, { unmeasurable: string }>): Promise<void> => {
    // Asking for a topic the broker does not have fails every later request of kafkajs's admin for it
    // ("This server does not host this topic-partition"), so only existing topics are asked for.
    const existing = new Set(await admin.listTopics());
    const topics = t.pattern
      ? [...existing].filter((n) => t.pattern?.test(n)).sort()
      : t.topics.filter((n) => existing.has(n));
    const absent = t.pattern ? [] : t.topics.filter((n) => !existing.has(n));
    if (absent.length)
      once(
        `topic ${absent.join(', ')} does not exist (yet); ` +
          `consumer lag counts the sink's other topics only, none until it appears`,
      );
    if (topics.length === 0) {
      if (t.pattern)
        once(
          `no topic matches the sink's topics.regex ${t.pattern.source} (yet); no consumer-lag samples until one does`,
        );
      latest = undefined;
      return;
    }
    const groups = await admin.fetchOffsets({ groupId: t.group, topics });
    const totals: ConsumerLagTotals = { lag: 0, endOffset: 0, committed: 0 };
    for (const topic of topics) {
      const part = consumerLagTotals(
        await admin.fetchTopicOffsets(topic),
        groups.find((g) => g.topic === topic)?.partitions ?? [],
      );
      totals.lag += part.lag;
      totals.endOffset += part.endOffset;
      totals.committed += part.committed;
    }
    latest = totals.lag;
    opts.emit({ t: Date.now(), kind: 'consumer-lag', group: t.group, ...totals });
  };

  const loop = startLoop(
    opts.everyMs ?? 1000,
    async () => {
      target ??= await opts.target();
      if ('unmeasurable' in target) {
        once(`not measured this run: ${target.unmeasurable}`);
        return;
      }
      try {
        if (!connected) {
          await admin.connect();
          connected = true;
        }
        await sample(target);
        failures.ok();
      } catch (err) {
        // Reconnect from scratch next time rather than rely on the client's view of a broker that went away.
        if (connected) {
          connected = false;
          await admin.disconnect().catch(() => undefined);
        }
        throw err;
      }
    },
    (e) => {
      latest = undefined; // a stale figure would read as current on the progress line
      failures.fail(e);
    },
  );

  return {
    latestLag: () => latest,
    failures: () => failures.failures,
    async stop() {
      await loop.stop();
      await Promise.race([admin.disconnect().catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
    },
  };
}
