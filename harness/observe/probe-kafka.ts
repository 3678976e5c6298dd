import { Kafka, logLevel, type Consumer } from 'kafkajs';
import type { Emit } from '../record/samples-file.ts';
import { bootstrapList } from '../stack/kafka-admin.ts';
import { FailureLog, type LogLine } from './failure-log.ts';
import { startLoop } from './loop.ts';
import { probeName } from './probe-ledger.ts';
import type { LagTarget } from './sink-topics.ts';

export interface ProbeKafkaOptions {
  kafkaBootstrap: string;
  /** The sink's topics (as the consumer-lag observer resolves them); a throw is retried next tick. */
  target: () => Promise<LagTarget>;
  /** The lag probe's token: only this run's markers count. */
  token: string;
  emit: Emit;
  log: LogLine;
}

export interface ProbeKafkaObserver {
  /** Markers seen in Kafka so far. */
  seen(): number;
  /** Why no marker can be seen (records not text), once known. */
  unmeasurable(): string | undefined;
  stop(): Promise<void>;
}

/**
 * The seq of this run's lag-probe marker in a record value, read as text; undefined for any other record.
 * The marker's `name` is probeName(token, seq), which a JSON (or string) converter carries verbatim.
 */
export function markerSeq(value: string, token: string): number | undefined {
  const head = probeName(token, 0).slice(0, -1);
  const at = value.indexOf(head);
  if (at < 0) return undefined;
  const m = /^\d{1,15}/.exec(value.slice(at + head.length));
  return m ? Number(m[0]) : undefined;
}

/** Record values that are not text: Confluent's wire format (Avro, Protobuf, JSON Schema) starts with byte 0. */
export function looksBinary(value: Buffer): boolean {
  return value.length > 0 && (value[0] === 0 || value.subarray(0, 64).includes(0));
}

/**
 * Consumes the sink's input topics from their latest offsets and notes when each lag-probe marker arrives in
 * Kafka (`probe-kafka` samples): with the probe's commit and search times, this splits the end-to-end lag into
 * commit → in Kafka and in Kafka → searchable. Its own consumer group, so the sink's offsets are untouched.
 */
export function startProbeKafka(opts: ProbeKafkaOptions): ProbeKafkaObserver {
  const kafka = new Kafka({
    clientId: 'outbox-chaos-probe-kafka',
    brokers: bootstrapList(opts.kafkaBootstrap),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2000 },
  });
  const failures = new FailureLog('probe-kafka', opts.log);
  const groupId = `outbox-chaos-probe-kafka-${opts.token}`;
  let consumer: Consumer | undefined;
  let seen = 0;
  let binary = 0;
  let unmeasurable: string | undefined;
  let stopped = false;

  const subscribe = async (): Promise<boolean> => {
    const target = await opts.target();
    if ('unmeasurable' in target) {
      unmeasurable = target.unmeasurable;
      opts.log(`observe/probe-kafka: not measured this run: ${target.unmeasurable}`);
      return true;
    }
    const admin = kafka.admin();
    await admin.connect();
    const existing = await admin.listTopics().finally(() => admin.disconnect());
    const topics = target.pattern
      ? existing.filter((n) => target.pattern?.test(n))
      : target.topics.filter((n) => existing.includes(n));
    if (topics.length === 0) return false; // not created yet: the first marker creates it
    const c = kafka.consumer({ groupId, maxWaitTimeInMs: 50, sessionTimeout: 10_000, heartbeatInterval: 1000 });
    consumer = c;
    await c.connect();
    await c.subscribe({ topics, fromBeginning: false });
    await c.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        const t = Date.now();
        if (!message.value) return;
        if (looksBinary(message.value)) {
          if (++binary === 50 && seen === 0) {
            unmeasurable = 'the sink topic records are not text (Avro or another binary format)';
            opts.log(`observe/probe-kafka: ${unmeasurable}; no per-hop split`);
          }
          return;
        }
        const seq = markerSeq(message.value.toString('utf8'), opts.token);
        if (seq === undefined) return;
        seen++;
        opts.emit({ t, kind: 'probe-kafka', seq, ts: Number(message.timestamp) });
      },
    });
    return true;
  };

  // Retries until subscribed: Connect may not have the sink yet, and its topic appears with the first record.
  let subscribed = false;
  const loop = startLoop(
    500,
    async () => {
      if (subscribed || stopped) return;
      subscribed = await subscribe();
      failures.ok();
    },
    (e) => {
      failures.fail(e);
      const c = consumer;
      consumer = undefined;
      if (c) void c.disconnect().catch(() => undefined);
    },
  );

  return {
    seen: () => seen,
    unmeasurable: () => unmeasurable,
    async stop() {
      stopped = true;
      await loop.stop();
      const c = consumer;
      if (!c) return;
      await Promise.race([c.disconnect().catch(() => undefined), new Promise((r) => setTimeout(r, 3000).unref())]);
      // The group was this run's alone: leave no trace of it in the broker.
      const admin = kafka.admin();
      await Promise.race([
        admin
          .connect()
          .then(() => admin.deleteGroups([groupId]))
          .catch(() => undefined)
          .finally(() => admin.disconnect().catch(() => undefined)),
        new Promise((r) => setTimeout(r, 3000).unref()),
      ]);
    },
  };
}
