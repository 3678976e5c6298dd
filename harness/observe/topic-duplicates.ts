import type { KafkaMessage } from 'kafkajs';
import type { TopicDuplicates } from '../record/report.ts';
import { readAsNull } from './topic-tombstones.ts';
import { readTopics } from './topic-read.ts';

/** The source position a change record carries: the unwrap SMT's `__lsn` header, else the envelope's source.lsn. */
export function recordLsn(m: Pick<KafkaMessage, 'headers' | 'value'>): string | undefined {
  const h = m.headers?.__lsn;
  const header = Array.isArray(h) ? h[0] : h;
  if (header !== undefined) return header.toString();
  if (!m.value || readAsNull(m.value)) return undefined;
  try {
    const v = JSON.parse(m.value.toString('utf8')) as {
      payload?: { source?: { lsn?: unknown } };
      source?: { lsn?: unknown };
    };
    const lsn = v.payload?.source?.lsn ?? v.source?.lsn;
    return lsn === undefined || lsn === null ? undefined : String(lsn);
  } catch {
    return undefined;
  }
}

/** Counts records sent twice; a pure fold, fed record by record. */
export class DuplicateCounter {
  private readonly seen = new Set<string>();
  records = 0;
  duplicates = 0;
  unidentified = 0;
  readonly examples: string[] = [];

  add(topic: string, m: Pick<KafkaMessage, 'key' | 'headers' | 'value'>): void {
    this.records++;
    const lsn = recordLsn(m);
    if (lsn === undefined) {
      this.unidentified++;
      return;
    }
    const key = m.key?.toString('utf8') ?? '';
    const id = `${topic}\u0000${key}\u0000${lsn}\u0000${readAsNull(m.value) ? 'tombstone' : 'change'}`;
    if (!this.seen.has(id)) {
      this.seen.add(id);
      return;
    }
    this.duplicates++;
    if (this.examples.length < 5) this.examples.push(`${topic} ${key} @ ${lsn}`);
  }
}

/** Reads the sink's topics as its consumer does and counts what they hold twice; null when they cannot be read. */
export async function countDuplicates(
  bootstrap: string,
  topics: readonly string[],
  isolation: TopicDuplicates['isolation'],
): Promise<TopicDuplicates | null> {
  const c = new DuplicateCounter();
  const read = await readTopics(bootstrap, topics, (m, topic) => c.add(topic, m), {
    readUncommitted: isolation === 'read_uncommitted',
    timeoutMs: 30_000,
  });
  if (!read) return null;
  const { records, duplicates, unidentified, examples } = c;
  return { topics: [...topics], isolation, records, duplicates, unidentified, examples };
}
