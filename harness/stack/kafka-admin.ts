import { Kafka, logLevel, type Admin } from 'kafkajs';

/** A short-lived admin connection to the broker's direct listener (observing never goes through a proxy). */
export async function withKafkaAdmin<T>(bootstrap: string, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const kafka = new Kafka({ clientId: 'outbox-chaos', brokers: [bootstrap], logLevel: logLevel.NOTHING, connectionTimeout: 3000, requestTimeout: 5000, retry: { retries: 1 } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export interface TopicOffsets {
  topic: string;
  endOffset: number;
  partitions: number;
}

export async function topicEndOffsets(admin: Admin, includeInternal = false): Promise<TopicOffsets[]> {
  const topics = (await admin.listTopics()).filter((t) => includeInternal || !t.startsWith('__')).sort();
  const out: TopicOffsets[] = [];
  for (const topic of topics) {
    const parts = await admin.fetchTopicOffsets(topic);
    out.push({ topic, partitions: parts.length, endOffset: parts.reduce((s, p) => s + Number(p.high), 0) });
  }
  return out;
}

/** Records on a topic (its end offsets), 0 when it does not exist, null when Kafka cannot tell. */
export async function topicRecords(bootstrap: string, topic: string): Promise<number | null> {
  return withKafkaAdmin(bootstrap, async (admin) => {
    if (!(await admin.listTopics()).includes(topic)) return 0;
    return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  }).catch(() => null);
}
