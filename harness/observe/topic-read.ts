import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';

/** How a topic is read: as a consumer reading committed records only (read_committed), or every record. */
export interface TopicReadOptions {
  readUncommitted?: boolean;
  timeoutMs?: number;
  /**
   * The topics count as read once nothing came for this long after a first batch: with transactions, the last
   * offsets before the end can be commit markers or aborted records, which a read_committed consumer is not given.
   */
  idleMs?: number;
}

/**
 * Reads topics from the start to their ends as of the call, with a throwaway consumer group, handing each
 * record to `each`. False when they could not be read within the timeout.
 */
export async function readTopics(
  bootstrap: string,
  topics: readonly string[],
  each: (m: KafkaMessage, topic: string) => void,
  o: TopicReadOptions = {},
): Promise<boolean> {
  const { readUncommitted = false, timeoutMs = 15_000, idleMs = 1500 } = o;
  const kafka = new Kafka({
    clientId: 'outbox-chaos-topic-read',
    brokers: bootstrap.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 5000,
    retry: { retries: 1 },
  });
  const admin = kafka.admin();
  const consumer = kafka.consumer({
    groupId: `outbox-chaos-topic-read-${Date.now().toString(36)}`,
    sessionTimeout: 10_000,
    readUncommitted,
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await admin.connect();
    const remaining = new Map<string, number>();
    for (const topic of topics)
      for (const p of await admin.fetchTopicOffsets(topic))
        if (Number(p.high) > 0) remaining.set(`${topic}/${p.partition}`, Number(p.high));
    if (remaining.size === 0) return true;
    // Idle counts from the first batch: joining the group can take seconds (group.initial.rebalance.delay.ms).
    let last: number | undefined;
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      timer = setInterval(() => last !== undefined && Date.now() - last > idleMs && resolve(), 100);
      void consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          last = Date.now();
          for (const m of batch.messages) each(m, batch.topic);
          const at = `${batch.topic}/${batch.partition}`;
          if (Number(batch.lastOffset()) + 1 >= (remaining.get(at) ?? 0)) remaining.delete(at);
          if (remaining.size === 0) resolve();
        },
      });
    });
    return await Promise.race([
      done.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs)),
    ]);
  } catch {
    return false;
  } finally {
    clearInterval(timer);
    await consumer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
