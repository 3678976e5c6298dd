/** The workload's identity: a hash of the canonical JSON of the ops a (seed, profile) generates. */
import { createHash, type Hash } from 'node:crypto';
import { OpGenerator } from './generate.ts';
import type { Op, Step, UpdateSet } from './ops.ts';
import type { WorkloadProfile } from './profile.ts';

function valuesJson(v: UpdateSet): string {
  const parts: string[] = [];
  if (v.description !== undefined) parts.push(`"description":${JSON.stringify(v.description)}`);
  if (v.name !== undefined) parts.push(`"name":${JSON.stringify(v.name)}`);
  if (v.price !== undefined) parts.push(`"price":${JSON.stringify(v.price)}`);
  return `{${parts.join(',')}}`;
}

function stepJson(s: Step): string {
  const tail =
    s.kind === 'update'
      ? `,"set":${valuesJson(s.set)}`
      : s.kind === 'delete'
        ? ''
        : `,"values":${valuesJson(s.values)}`;
  return `{"kind":"${s.kind}","product_id":${s.product_id}${tail}}`;
}

/**
 * canonicalJson(op), written out for the Op shape (keys in sorted order by construction): the generic version
 * costs ~10 µs per op, which matters when the driver hashes every op it dispatches. A unit test holds the two equal.
 */
export function canonicalOpJson(op: Op): string {
  const burst = op.burst !== undefined ? `"burst":${op.burst},` : '';
  const head = `{${burst}"kind":"${op.kind}","n":${op.n}`;
  switch (op.kind) {
    case 'txn':
      return `${head},"shard":${op.shard},"steps":[${op.steps.map(stepJson).join(',')}]}`;
    case 'update':
      return `${head},"product_id":${op.product_id},"set":${valuesJson(op.set)},"shard":${op.shard}}`;
    case 'delete':
      return `${head},"product_id":${op.product_id},"shard":${op.shard}}`;
    case 'insert':
    case 'reinsert':
      return `${head},"product_id":${op.product_id},"shard":${op.shard},"values":${valuesJson(op.values)}}`;
  }
}

/** Incremental form of workloadHash, for the driver: feed ops in stream order. */
export class OpHasher {
  private readonly hash: Hash = createHash('sha256');
  count = 0;
  update(op: Op): void {
    this.hash.update(canonicalOpJson(op));
    this.hash.update('\n');
    this.count++;
  }
  /** Digest of what was fed so far (the hasher stays usable). */
  digest(): string {
    return this.hash.copy().digest('hex').slice(0, 16);
  }
}

/**
 * sha256 (hex, first 16 chars) over the canonical JSON (sorted keys, see canonical-json.ts) of the first n ops,
 * one per line. Printed by every run.
 */
export function workloadHash(seed: number, profile: WorkloadProfile, n: number): string {
  const h = new OpHasher();
  const gen = new OpGenerator(seed, profile);
  for (let i = 0; i < n; i++) {
    const r = gen.next();
    if (r.done) break;
    h.update(r.value);
  }
  return h.digest();
}
