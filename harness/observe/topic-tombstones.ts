import { readTopics } from './topic-read.ts';

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
 * start to its current end: tells "the source never emitted a tombstone" from "the sink skipped them". Null
 * when the topic cannot be read within the timeout.
 */
export async function countTombstones(bootstrap: string, topic: string, timeoutMs = 15_000): Promise<number | null> {
  let tombstones = 0;
  const read = await readTopics(
    bootstrap,
    [topic],
    (m) => {
      if (readAsNull(m.value)) tombstones++;
    },
    { timeoutMs },
  );
  return read ? tombstones : null;
}
