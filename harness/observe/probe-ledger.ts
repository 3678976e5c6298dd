import type { Sample } from '../record/samples.ts';

const KEEP_SEEN = 600;

/**
 * The probe's bookkeeping, free of I/O: when each sequence number was acknowledged by Postgres, and which one
 * Elasticsearch shows. Sequence numbers are acknowledged in increasing order (one writer, one at a time).
 */
export class ProbeLedger {
  /** Acknowledged seqs, ascending: all not visible yet, and the latest KEEP_SEEN visible ones. */
  private acks: { seq: number; ackAt: number }[] = [];
  /** Highest acknowledged seq. */
  committedSeq = 0;
  /** Seq shown by the latest observation (0: no probe document). */
  visibleSeq = 0;
  /** Highest seq ever observed: a seq gets its e2e-lag sample once, when it first shows up. */
  maxSeenSeq = 0;

  acked(seq: number, ackAt: number): void {
    if (seq <= this.committedSeq) return;
    this.committedSeq = seq;
    this.acks.push({ seq, ackAt });
  }

  /**
   * One search result. Every acknowledged seq up to the visible one that had not been seen yet becomes visible
   * now: seqs the poller skipped over were overwritten, but their effect is what the reader sees.
   * A seq that was written but never acknowledged (the connection broke) can show up too; it has no ack time
   * and so no sample.
   */
  observe(visible: number, seenAt: number): Sample[] {
    const out: Sample[] = [];
    if (visible > this.maxSeenSeq) {
      for (const a of this.acks) {
        if (a.seq > visible) break;
        if (a.seq > this.maxSeenSeq)
          out.push({ t: seenAt, kind: 'e2e-lag', seq: a.seq, lagMs: Math.max(0, seenAt - a.ackAt) });
      }
      this.maxSeenSeq = visible;
    }
    this.visibleSeq = visible;
    // Seqs at or below the visible one are kept for a while (a minute at the default rate), so the lag stays
    // right when a stale write makes the document go back.
    let atOrBelow = 0;
    while (atOrBelow < this.acks.length && this.acks[atOrBelow]!.seq <= visible) atOrBelow++;
    if (atOrBelow > KEEP_SEEN) this.acks.splice(0, atOrBelow - KEEP_SEEN);
    return out;
  }

  /** Age of the oldest acknowledged seq not visible now; 0 when caught up. Grows through an outage. */
  lagAt(now: number): number {
    const oldest = this.acks.find((a) => a.seq > this.visibleSeq);
    return oldest ? Math.max(0, now - oldest.ackAt) : 0;
  }

  probeSample(now: number): Sample {
    return {
      t: now,
      kind: 'probe',
      committedSeq: this.committedSeq,
      visibleSeq: this.visibleSeq,
      lagMs: this.lagAt(now),
    };
  }

  caughtUp(): boolean {
    return this.visibleSeq >= this.committedSeq;
  }
}

const PREFIX = 'outbox-chaos probe';

/**
 * The probe's `name`: a per-run token keeps a document left by an earlier run (same index, same id) from being
 * read as this run's progress.
 */
export function probeName(token: string, seq: number): string {
  return `${PREFIX} ${token} ${seq}`;
}

/** The seq in a probe name of this run, or undefined for anything else. */
export function parseProbeName(name: unknown, token: string): number | undefined {
  if (typeof name !== 'string') return undefined;
  const head = `${PREFIX} ${token} `;
  if (!name.startsWith(head)) return undefined;
  const rest = name.slice(head.length);
  return /^\d{1,15}$/.test(rest) ? Number(rest) : undefined;
}
