/**
 * The deterministic operation generator: (seed, profile) → an endless stream of ops, no I/O.
 *
 * Id assignment. New rows get explicit product_ids from the generator's own counter instead of SERIAL:
 *   - the stream names real ids, so the same seed yields the same ops *and* the same ids in every run, and a
 *     history can be compared op by op with a replay;
 *   - ops stay meaningful when an earlier op failed or is unknown: an update of an id whose insert failed
 *     simply matches 0 rows (the driver records that), and a reinsert of an id whose delete failed meets
 *     ON CONFLICT DO NOTHING; with SERIAL the generator could not even name the row an unknown insert made;
 *   - the workload owns the range [ids.base, ids.base + ids.span); the driver moves the SERIAL sequence past
 *     it (setval) so rows inserted by anyone else never take a workload id.
 * Ids are spread over ID_SHARDS shards (id - base) % ID_SHARDS, each shard owned by one worker
 * (shard % concurrency). Ops on one id therefore never race, and a txn's steps stay within one shard. The
 * shard count is fixed, so the stream (and its hash) does not depend on concurrency, rate or duration.
 */
import type fc from 'fast-check';
import { IdSet } from './id-set.ts';
import type { Op, Step } from './ops.ts';
import { ID_SHARDS, type WorkloadProfile } from './profile.ts';
import { chance, pickWeighted, seededRandom } from './rng.ts';
import { drawUpdateSet, drawValues } from './values.ts';

type StepKind = Step['kind'];
/** Deleted ids remembered per shard for reinserts (×64 shards). */
const DELETED_PER_SHARD_CAP = 4_096;
const STEP_KINDS: readonly StepKind[] = ['insert', 'update', 'delete', 'reinsert'];

interface Shard {
  live: IdSet;
  deleted: IdSet;
  /** Next fresh id is base + nextK * ID_SHARDS + shard index. */
  nextK: number;
}

interface Burst {
  no: number;
  ids: number[];
  remaining: number;
}

export class OpGenerator implements IterableIterator<Op> {
  private readonly mrng: fc.Random;
  private readonly shards: Shard[] = [];
  private liveTotal = 0;
  private deletedTotal = 0;
  private n = 0;
  private burst: Burst | null = null;
  private bursts = 0;

  constructor(
    readonly seed: number,
    readonly profile: WorkloadProfile,
  ) {
    this.mrng = seededRandom(seed);
    for (let s = 0; s < ID_SHARDS; s++) this.shards.push({ live: new IdSet(), deleted: new IdSet(), nextK: 0 });
  }

  /** Ids the generator believes are live / deleted (assuming every op so far committed). */
  get liveCount(): number {
    return this.liveTotal;
  }
  get deletedCount(): number {
    return this.deletedTotal;
  }
  isLive(id: number): boolean {
    return this.shardState(this.shardOf(id)).live.has(id);
  }

  shardOf(id: number): number {
    return (id - this.profile.ids.base) % ID_SHARDS;
  }

  [Symbol.iterator](): IterableIterator<Op> {
    return this;
  }

  next(): IteratorResult<Op> {
    const op = this.burst ? this.burstUpdate(this.burst) : this.fresh();
    if (!op) return { done: true, value: undefined };
    return { done: false, value: op };
  }

  private fresh(): Op | null {
    const { hotKeyBurst } = this.profile;
    if (this.liveTotal > 0 && chance(this.mrng, hotKeyBurst.probability)) {
      const ids = new Set<number>();
      const want = this.mrng.nextInt(1, 3);
      for (let i = 0; i < want; i++) ids.add(this.randomLive());
      this.burst = { no: this.bursts++, ids: [...ids], remaining: hotKeyBurst.size };
      return this.burstUpdate(this.burst);
    }
    const { mix } = this.profile;
    const weights = [
      this.canInsert(null) ? mix.insert : 0,
      this.liveTotal > 0 ? mix.update : 0,
      this.liveTotal > 0 ? mix.delete : 0,
      this.canReinsert(null) ? mix.reinsert : 0,
      mix.txn,
    ];
    const k = pickWeighted(this.mrng, weights);
    if (k === 4) {
      const txn = this.txn();
      if (txn) return txn;
    }
    const kind = k !== null && k < 4 ? STEP_KINDS[k] : this.fallbackKind(null);
    if (!kind) return null;
    const shard = this.shardFor(kind);
    const step = this.step(kind, shard);
    return { n: this.n++, shard, ...step };
  }

  private burstUpdate(b: Burst): Op {
    const id = b.ids[b.ids.length === 1 ? 0 : this.mrng.nextInt(0, b.ids.length - 1)] as number;
    if (--b.remaining <= 0) this.burst = null;
    const { toastProbability, priceChangeOnlyProbability } = this.profile;
    const set = drawUpdateSet(this.mrng, toastProbability, priceChangeOnlyProbability);
    // The generator never deletes inside a burst, so the ids stay live for the whole burst.
    return { n: this.n++, shard: this.shardOf(id), burst: b.no, kind: 'update', product_id: id, set };
  }

  /** 2–5 steps on one shard (so one worker runs them in one transaction). */
  private txn(): Op | null {
    const shard = this.liveTotal > 0 ? this.shardOf(this.randomLive()) : this.mrng.nextInt(0, ID_SHARDS - 1);
    const count = this.mrng.nextInt(2, 5);
    const { mix } = this.profile;
    const steps: Step[] = [];
    const st = this.shardState(shard);
    for (let i = 0; i < count; i++) {
      const weights = [
        this.canInsert(shard) ? mix.insert : 0,
        st.live.size > 0 ? mix.update : 0,
        st.live.size > 0 ? mix.delete : 0,
        this.canReinsert(shard) ? mix.reinsert : 0,
      ];
      const k = pickWeighted(this.mrng, weights);
      const kind = k !== null ? STEP_KINDS[k] : this.fallbackKind(shard);
      if (!kind) break;
      steps.push(this.step(kind, shard));
    }
    if (steps.length === 0) return null;
    return { n: this.n++, shard, kind: 'txn', steps };
  }

  /** Builds one step on `shard` and applies it to the model. The caller made sure it is possible. */
  private step(kind: StepKind, shard: number): Step {
    const st = this.shardState(shard);
    const { toastProbability, priceChangeOnlyProbability } = this.profile;
    switch (kind) {
      case 'insert': {
        const id = this.profile.ids.base + st.nextK++ * ID_SHARDS + shard;
        st.live.add(id);
        this.liveTotal++;
        return { kind, product_id: id, values: drawValues(this.mrng, toastProbability) };
      }
      case 'reinsert': {
        const id = st.deleted.at(this.mrng.nextInt(0, st.deleted.size - 1));
        st.deleted.delete(id);
        this.deletedTotal--;
        st.live.add(id);
        this.liveTotal++;
        return { kind, product_id: id, values: drawValues(this.mrng, toastProbability) };
      }
      case 'update': {
        const id = st.live.at(this.mrng.nextInt(0, st.live.size - 1));
        return { kind, product_id: id, set: drawUpdateSet(this.mrng, toastProbability, priceChangeOnlyProbability) };
      }
      case 'delete': {
        const id = st.live.at(this.mrng.nextInt(0, st.live.size - 1));
        st.live.delete(id);
        this.liveTotal--;
        if (st.deleted.size >= DELETED_PER_SHARD_CAP) {
          // Forget one (deterministically) so memory stays bounded in long runs; it just won't be reinserted.
          st.deleted.delete(st.deleted.at(0));
          this.deletedTotal--;
        }
        st.deleted.add(id);
        this.deletedTotal++;
        return { kind, product_id: id };
      }
    }
  }

  /** Shard for a top-level step: where the id to act on lives, or a random shard with fresh ids. */
  private shardFor(kind: StepKind): number {
    switch (kind) {
      case 'insert': {
        const start = this.mrng.nextInt(0, ID_SHARDS - 1);
        for (let i = 0; i < ID_SHARDS; i++) {
          const s = (start + i) % ID_SHARDS;
          if (this.hasFresh(s)) return s;
        }
        throw new Error('no fresh ids left (canInsert should have said so)');
      }
      case 'reinsert':
        return this.weightedShard(this.mrng.nextInt(0, this.deletedTotal - 1), (s) => s.deleted.size);
      case 'update':
      case 'delete':
        return this.weightedShard(this.mrng.nextInt(0, this.liveTotal - 1), (s) => s.live.size);
    }
  }

  /** When the mix allows nothing (e.g. only inserts but keySpace is full), do what keeps the stream going. */
  private fallbackKind(shard: number | null): StepKind | undefined {
    const live = shard === null ? this.liveTotal : this.shardState(shard).live.size;
    if (live > 0) return 'update';
    if (this.canInsert(shard)) return 'insert';
    if (this.canReinsert(shard)) return 'reinsert';
    return undefined;
  }

  private canInsert(shard: number | null): boolean {
    if (this.liveTotal >= this.profile.keySpace) return false;
    if (shard !== null) return this.hasFresh(shard);
    for (let s = 0; s < ID_SHARDS; s++) if (this.hasFresh(s)) return true;
    return false;
  }

  private canReinsert(shard: number | null): boolean {
    if (this.liveTotal >= this.profile.keySpace) return false;
    return shard === null ? this.deletedTotal > 0 : this.shardState(shard).deleted.size > 0;
  }

  private hasFresh(shard: number): boolean {
    return this.shardState(shard).nextK * ID_SHARDS + shard < this.profile.ids.span;
  }

  private randomLive(): number {
    const shard = this.weightedShard(this.mrng.nextInt(0, this.liveTotal - 1), (s) => s.live.size);
    const live = this.shardState(shard).live;
    return live.at(this.mrng.nextInt(0, live.size - 1));
  }

  /** The shard in which the r-th element (over all shards, sized by `size`) falls. */
  private weightedShard(r: number, size: (s: Shard) => number): number {
    for (let s = 0; s < ID_SHARDS; s++) {
      const n = size(this.shardState(s));
      if (r < n) return s;
      r -= n;
    }
    throw new Error('weightedShard: index beyond total');
  }

  private shardState(s: number): Shard {
    const st = this.shards[s];
    if (!st) throw new RangeError(`shard ${s} out of range`);
    return st;
  }
}

export function generateOps(seed: number, profile: WorkloadProfile): OpGenerator {
  return new OpGenerator(seed, profile);
}

export function takeOps(seed: number, profile: WorkloadProfile, n: number): Op[] {
  const out: Op[] = [];
  const gen = new OpGenerator(seed, profile);
  while (out.length < n) {
    const r = gen.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}
