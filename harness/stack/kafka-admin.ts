import { Kafka, logLevel, type Admin } from 'kafkajs';

/** bootstrap.servers as Kafka writes them ("host:port,host:port") as a list. */
export function bootstrapList(bootstrap: string): string[] {
  return bootstrap
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

/** A short-lived admin connection to the brokers' direct listeners (observing never goes through a proxy). */
export async function withKafkaAdmin<T>(bootstrap: string, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const kafka = new Kafka({
    clientId: 'outbox-chaos',
    brokers: bootstrapList(bootstrap),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 5000,
    retry: { retries: 1 },
  });
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

/** One partition as the cluster's metadata has it: leader (-1: none), replicas, in-sync replicas, offline. */
export interface PartitionLayout {
  topic: string;
  partition: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offline: number[];
}

/** Leaders and ISR of these topics (every non-internal topic when none are named). */
export async function partitionLayout(admin: Admin, topics?: string[]): Promise<PartitionLayout[]> {
  const names = topics ?? (await admin.listTopics()).filter((t) => !t.startsWith('__')).sort();
  if (names.length === 0) return [];
  const md = await admin.fetchTopicMetadata({ topics: names });
  return md.topics.flatMap((t) =>
    [...t.partitions]
      .sort((a, b) => a.partitionId - b.partitionId)
      .map((p) => ({
        topic: t.name,
        partition: p.partitionId,
        leader: p.leader,
        replicas: p.replicas,
        isr: p.isr,
        offline: p.offlineReplicas ?? [],
      })),
  );
}

/** A consumer or Connect group's members: client id and host, as the group coordinator has them. */
export async function groupMembers(
  admin: Admin,
  group: string,
): Promise<{ state: string; members: { memberId: string; clientId: string; clientHost: string }[] }> {
  const { groups } = await admin.describeGroups([group]);
  const g = groups[0];
  return {
    state: g?.state ?? 'Unknown',
    members: (g?.members ?? []).map((m) => ({ memberId: m.memberId, clientId: m.clientId, clientHost: m.clientHost })),
  };
}
