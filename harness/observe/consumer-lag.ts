import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { Emit } from '../record/samples-file.ts';
import { FailureLog, type LogLine } from './failure-log.ts';
import { startLoop } from './loop.ts';

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
export function consumerLagTotals(ends: readonly PartitionEnd[], committed: readonly PartitionCommitted[]): ConsumerLagTotals {
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
  topic: string;
  group: string;
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

/** Samples the sink consumer group's lag on the topic, through one kafkajs admin client. */
export function startConsumerLag(opts: ConsumerLagOptions): ConsumerLagObserver {
  // Short timeouts and one retry: a sample that cannot be taken within its period is a missed sample.
  const kafka = new Kafka({
    clientId: 'outbox-chaos-observe',
    brokers: [opts.kafkaBootstrap],
    logLevel: logLevel.NOTHING, // failures are reported through FailureLog, rate-limited
    connectionTimeout: 2000,
    requestTimeout: 4000,
    retry: { retries: 1, initialRetryTime: 200, maxRetryTime: 1000 },
  });
  const admin: Admin = kafka.admin();
  const failures = new FailureLog('consumer-lag', opts.log);
  let connected = false;
  let latest: number | undefined;

  const loop = startLoop(
    opts.everyMs ?? 1000,
    async () => {
      try {
        if (!connected) {
          await admin.connect();
          connected = true;
        }
        const ends = await admin.fetchTopicOffsets(opts.topic);
        const groups = await admin.fetchOffsets({ groupId: opts.group, topics: [opts.topic] });
        const committed = groups.find((g) => g.topic === opts.topic)?.partitions ?? [];
        const totals = consumerLagTotals(ends, committed);
        latest = totals.lag;
        opts.emit({ t: Date.now(), kind: 'consumer-lag', group: opts.group, ...totals });
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
