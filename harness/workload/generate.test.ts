import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.ts';
import { OpGenerator, takeOps } from './generate.ts';
import { canonicalOpJson, workloadHash } from './op-hash.ts';
import { stepsOf, type Op, type Step } from './ops.ts';
import { DEFAULT_PROFILE, ID_SHARDS, type WorkloadProfile } from './profile.ts';
import { NAME_MAX_CODE_POINTS, TOAST_MIN_BYTES } from './values.ts';

const profile = (over: Partial<WorkloadProfile> = {}): WorkloadProfile => ({ ...DEFAULT_PROFILE, ...over });
/** Per-item assertion without vitest's per-call overhead (these loops check ~10^5 values). */
function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function allStrings(step: Step): string[] {
  const v = step.kind === 'update' ? step.set : step.kind === 'delete' ? {} : step.values;
  return [v.name, v.description, v.price].filter((s): s is string => typeof s === 'string');
}

describe('determinism', () => {
  it('same seed and profile give the same ops and hash', () => {
    const p = profile({ toastProbability: 0.1, hotKeyBurst: { probability: 0.02, size: 10 } });
    expect(takeOps(42, p, 3000)).toEqual(takeOps(42, p, 3000));
    expect(workloadHash(42, p, 3000)).toBe(workloadHash(42, p, 3000));
    expect(workloadHash(42, p, 3000)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('different seeds give different ops and hashes', () => {
    const p = profile();
    expect(workloadHash(1, p, 500)).not.toBe(workloadHash(2, p, 500));
    expect(takeOps(1, p, 50)).not.toEqual(takeOps(2, p, 50));
  });

  it('the hash depends on what shapes ops, not on rate, duration, concurrency or batching', () => {
    const base = workloadHash(7, profile(), 1000);
    expect(
      workloadHash(7, profile({ ratePerSec: 5, durationMs: 10, concurrency: 16, batch: 50, maxOps: 3 }), 1000),
    ).toBe(base);
    expect(workloadHash(7, profile({ mix: { ...DEFAULT_PROFILE.mix, delete: 11 } }), 1000)).not.toBe(base);
    expect(workloadHash(7, profile(), 999)).not.toBe(base);
  });

  it('canonicalOpJson is canonicalJson (sorted keys) for every op shape', () => {
    const ops = takeOps(3, profile({ hotKeyBurst: { probability: 0.05, size: 4 }, toastProbability: 0.05 }), 5000);
    const kinds = new Set(ops.map((o) => (o.burst !== undefined ? 'burst' : o.kind)));
    expect([...kinds].sort()).toEqual(['burst', 'delete', 'insert', 'reinsert', 'txn', 'update']);
    for (const op of ops) expect(canonicalOpJson(op)).toBe(canonicalJson(op));
  });

  it('streams fast enough not to be the bottleneck at 5,000 ops/s', () => {
    const gen = new OpGenerator(9, profile());
    const t0 = performance.now();
    for (let i = 0; i < 20_000; i++) gen.next();
    const perSec = 20_000 / ((performance.now() - t0) / 1000);
    // Typically 50–60k ops/s; the bound leaves room for a loaded CI machine.
    expect(perSec).toBeGreaterThan(5_000);
  });
});

describe('generated values', () => {
  const p = profile({ toastProbability: 0.2, priceChangeOnlyProbability: 0.3 });
  const ops = takeOps(11, p, 6000);
  const steps = ops.flatMap(stepsOf);

  it('names fit VARCHAR(255), and no string has NUL or a lone surrogate', () => {
    for (const s of steps) {
      for (const str of allStrings(s)) {
        check(!str.includes('\0'), `NUL in ${JSON.stringify(str).slice(0, 80)}`);
        check(!LONE_SURROGATE.test(str), `lone surrogate in ${JSON.stringify(str).slice(0, 80)}`);
      }
      const name = s.kind === 'update' ? s.set.name : s.kind === 'delete' ? undefined : s.values.name;
      if (name !== undefined) check([...name].length <= NAME_MAX_CODE_POINTS, `name too long: ${name}`);
    }
  });

  it('covers unicode/emoji names, empty strings, NULL descriptions and boundary prices', () => {
    const names = steps.flatMap((s) =>
      s.kind === 'update' ? [s.set.name] : s.kind === 'delete' ? [] : [s.values.name],
    );
    const descs = steps.flatMap((s) =>
      s.kind === 'update'
        ? 'description' in s.set
          ? [s.set.description]
          : []
        : s.kind === 'delete'
          ? []
          : [s.values.description],
    );
    const prices = steps.flatMap((s) =>
      s.kind === 'update' ? [s.set.price] : s.kind === 'delete' ? [] : [s.values.price],
    );
    expect(names.some((n) => n !== undefined && /\p{Extended_Pictographic}/u.test(n))).toBe(true);
    expect(names.some((n) => n !== undefined && /[\u{10000}-\u{10FFFF}]/u.test(n))).toBe(true);
    expect(names.some((n) => n !== undefined && [...n].length === NAME_MAX_CODE_POINTS)).toBe(true);
    expect(names).toContain('');
    expect(descs).toContain(null);
    expect(descs).toContain('');
    expect(prices).toContain('0.00');
    expect(prices).toContain('99999999.99');
  });

  it('prices are NUMERIC(10,2) strings within [0.00, 99999999.99]', () => {
    for (const s of steps) {
      const price = s.kind === 'update' ? s.set.price : s.kind === 'delete' ? undefined : s.values.price;
      if (price === undefined) continue;
      check(/^\d{1,8}\.\d{2}$/.test(price), `bad price ${price}`);
      check(Number(price) >= 0 && Number(price) <= 99999999.99, `price out of range ${price}`);
    }
  });

  it('TOAST descriptions are ≥ 8 KB, incompressible, and about as frequent as asked', () => {
    const descs = steps.flatMap((s) =>
      s.kind === 'update'
        ? typeof s.set.description === 'string'
          ? [s.set.description]
          : []
        : s.kind === 'delete'
          ? []
          : [s.values.description ?? ''],
    );
    const toast = descs.filter((d) => d.length > 6000);
    expect(toast.length).toBeGreaterThan(0);
    for (const d of toast) {
      expect(Buffer.byteLength(d)).toBeGreaterThanOrEqual(TOAST_MIN_BYTES);
      expect(d).toMatch(/^[A-Za-z0-9+/]+$/);
      // base64 of random bytes: deflate can only recover the 6-of-8-bits entropy; pglz/lz4 (no entropy coding) nothing.
      expect(deflateSync(d).length / d.length).toBeGreaterThan(0.7);
    }
    const fraction = toast.length / descs.length;
    expect(fraction).toBeGreaterThan(0.12);
    expect(fraction).toBeLessThan(0.28);
    // Everything else stays well below the 2 KB TOAST threshold, or is repetitive (compressed inline).
    for (const d of descs.filter((x) => x.length <= 6000 && Buffer.byteLength(x) > 2000)) {
      expect(deflateSync(d).length).toBeLessThan(1000);
    }
  });

  it('updates set a non-empty subset, price-only at least as often as asked', () => {
    const updates = steps.filter((s): s is Extract<Step, { kind: 'update' }> => s.kind === 'update');
    for (const u of updates) expect(Object.keys(u.set).length).toBeGreaterThan(0);
    const priceOnly = updates.filter((u) => Object.keys(u.set).join() === 'price').length / updates.length;
    // 0.3 asked + 1/7 of the random subsets of the other 0.7 = 0.4 expected.
    expect(priceOnly).toBeGreaterThan(0.34);
    expect(priceOnly).toBeLessThan(0.46);
  });
});

describe('the generator model', () => {
  it('acts only on ids it believes live/deleted, never reuses fresh ids, respects keySpace and shards', () => {
    const p = profile({ keySpace: 150, hotKeyBurst: { probability: 0.02, size: 6 } });
    const live = new Set<number>();
    const deleted = new Set<number>();
    const used = new Set<number>();
    let maxLive = 0;
    for (const op of takeOps(5, p, 20_000)) {
      const steps = stepsOf(op);
      if (op.kind === 'txn') {
        expect(steps.length).toBeGreaterThanOrEqual(1);
        expect(steps.length).toBeLessThanOrEqual(5);
      }
      for (const s of steps) {
        const id = s.product_id;
        check(id >= p.ids.base && id < p.ids.base + p.ids.span, `id ${id} outside the range`);
        check((id - p.ids.base) % ID_SHARDS === op.shard, `op ${op.n}: id ${id} not in shard ${op.shard}`);
        switch (s.kind) {
          case 'insert':
            check(!used.has(id), `op ${op.n}: fresh id ${id} reused`);
            used.add(id);
            live.add(id);
            break;
          case 'reinsert':
            check(deleted.delete(id), `op ${op.n}: reinsert of ${id}, which was not deleted`);
            live.add(id);
            break;
          case 'update':
            check(live.has(id), `op ${op.n}: update of ${id}, which is not live`);
            break;
          case 'delete':
            check(live.delete(id), `op ${op.n}: delete of ${id}, which is not live`);
            deleted.add(id);
            break;
        }
        maxLive = Math.max(maxLive, live.size);
      }
    }
    expect(maxLive).toBeLessThanOrEqual(150);
    expect(maxLive).toBeGreaterThan(100);
    expect(deleted.size).toBeGreaterThan(0);
  });

  it('emits hot-key bursts of `size` consecutive updates to at most 3 ids', () => {
    const ops = takeOps(8, profile({ hotKeyBurst: { probability: 0.03, size: 12 } }), 8000);
    const bursts = new Map<number, Op[]>();
    ops.forEach((op) => op.burst !== undefined && bursts.set(op.burst, [...(bursts.get(op.burst) ?? []), op]));
    expect(bursts.size).toBeGreaterThan(10);
    for (const members of bursts.values()) {
      expect(members).toHaveLength(12);
      const first = members[0] as Op;
      members.forEach((m, i) => expect(m.n).toBe(first.n + i));
      const ids = new Set(members.map((m) => (m.kind === 'update' ? m.product_id : -1)));
      expect(ids.has(-1)).toBe(false);
      expect(ids.size).toBeLessThanOrEqual(3);
    }
  });

  it('keeps going when the mix allows nothing useful (only inserts, keySpace full)', () => {
    const ops = takeOps(1, profile({ keySpace: 5, mix: { insert: 1, update: 0, delete: 0, reinsert: 0, txn: 0 } }), 50);
    expect(ops).toHaveLength(50);
    expect(ops.filter((o) => o.kind === 'insert')).toHaveLength(5);
  });

  it('stops inserting when the id range is exhausted', () => {
    const ops = takeOps(
      1,
      profile({
        keySpace: 3,
        ids: { base: 10, span: 3 },
        mix: { insert: 1, update: 0, delete: 1, reinsert: 0, txn: 0 },
      }),
      200,
    );
    const inserted = ops
      .flatMap(stepsOf)
      .filter((s) => s.kind === 'insert')
      .map((s) => s.product_id);
    expect(inserted.sort()).toEqual([10, 11, 12]);
    // After that the fallback brings deleted ids back (reinsert) instead of ending the stream.
    expect(ops).toHaveLength(200);
    expect(ops.some((o) => o.kind === 'reinsert')).toBe(true);
  });
});
