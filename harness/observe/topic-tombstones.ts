import { Kafka, logLevel } from 'kafkajs';

/**
 * A record value the sink reads as null: no bytes (a Kafka tombstone), or the JSON text `null`, which is what
 * JsonConverter with schemas.enable=false writes for a null value that has a schema (the unwrap SMT's
 * tombstone): the sink deletes on it, though log compaction does not treat it as a tombstone.
 */
export function readAsNull(value: Buffer | null): boolean {
  return value === null || (value.length === 4 && value.toString('latin1') === 'null');
}

/**
 * Counts the tombstones (records the sink reads as a null value: readAsNull) on a topic, reading it from the
 * start to its current end with a throwaway consumer group: tells "the source never emitted a tombstone" from
 * "the sink skipped them". Null when the topic cannot be read within the timeout.
 */
export async function countTombstones(bootstrap: string, topic: string, timeoutMs = 15_000): Promise<number | null> {
  const kafka = new Kafka({
    clientId: 'outbox-chaos-tombstones',
    brokers: bootstrap.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 5000,
    retry: { retries: 1 },
  });
  const admin = kafka.admin();
  const consumer = kafka.consumer({
    groupId: `outbox-chaos-tombstones-${Date.now().toString(36)}`,
    sessionTimeout: 10_000,
  });
  try {
    await admin.connect();
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
    const remaining = new Set([...ends].filter(([, end]) => end > 0).map(([p]) => p));
    if (remaining.size === 0) return 0;
    let tombstones = 0;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            if (readAsNull(m.value)) tombstones++;
            if (Number(m.offset) + 1 >= (ends.get(batch.partition) ?? 0)) remaining.delete(batch.partition);
          }
          if (remaining.size === 0) resolve();
        },
      });
    });
    const timedOut = await Promise.race([
      done.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), timeoutMs)),
    ]);
    return timedOut ? null : tombstones;
  } catch {
    return null;
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
