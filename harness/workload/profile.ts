/**
 * The shape of a workload: how fast, how long, how wide, and what mix of operations. Scenario files carry a
 * (partial) profile; `parseProfile` fills in the defaults and rejects anything it does not understand, naming
 * the field, so a typo in a scenario fails at load time instead of silently running the default.
 */

/** Ids are spread over this many shards; a worker owns every shard s with s % concurrency === worker. */
export const ID_SHARDS = 64;

/** Largest value a SERIAL (int4) column can hold. */
export const MAX_INT4 = 2_147_483_647;

/** Relative weights of the top-level operation kinds (need not sum to anything in particular). */
export interface MixWeights {
  insert: number;
  update: number;
  delete: number;
  reinsert: number;
  txn: number;
}

export interface HotKeyBurst {
  /** Probability that a top-level step starts a burst instead of a normal op. */
  probability: number;
  /** Number of consecutive updates in one burst, spread over 1–3 ids. */
  size: number;
}

/**
 * The product_id range the workload owns: [base, base + span). The driver moves the table's SERIAL sequence
 * past the range so inserts by anyone else (users, the lag probe) never collide with workload ids.
 */
export interface IdRange {
  base: number;
  span: number;
}

export interface WorkloadProfile {
  /** Target top-level ops per second over all workers; 0 = as fast as possible. */
  ratePerSec: number;
  durationMs: number;
  /** Number of workers, each with its own Postgres connection. */
  concurrency: number;
  /** The generator keeps at most this many products live. */
  keySpace: number;
  mix: MixWeights;
  hotKeyBurst: HotKeyBurst;
  /** Probability that a generated description is ≥ 8 KB of incompressible text (stored out-of-line by TOAST). */
  toastProbability: number;
  /**
   * Probability that an update sets only the price. Such an update leaves a TOASTed description unchanged,
   * which is exactly when Debezium (REPLICA IDENTITY DEFAULT) emits `__debezium_unavailable_value`.
   */
  priceChangeOnlyProbability: number;
  /** Top-level ops per transaction; 1 = every op is its own transaction. */
  batch: number;
  /** Stop after this many top-level ops; 0 = no limit (only durationMs). */
  maxOps: number;
  ids: IdRange;
}

export const DEFAULT_PROFILE: WorkloadProfile = {
  ratePerSec: 200,
  durationMs: 60_000,
  concurrency: 4,
  keySpace: 1_000,
  mix: { insert: 30, update: 45, delete: 10, reinsert: 5, txn: 10 },
  hotKeyBurst: { probability: 0.005, size: 20 },
  toastProbability: 0.05,
  priceChangeOnlyProbability: 0.3,
  batch: 1,
  maxOps: 0,
  ids: { base: 1_000_000, span: 100_000_000 },
};

export class ProfileError extends Error {
  constructor(readonly problems: { field: string; message: string }[]) {
    super(`invalid workload profile:\n${problems.map((p) => `  ${p.field}: ${p.message}`).join('\n')}`);
    this.name = 'ProfileError';
  }
}

type Problems = { field: string; message: string }[];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'undefined';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

interface NumRule {
  min: number;
  max: number;
  integer?: boolean;
}

function num(problems: Problems, field: string, raw: unknown, fallback: number, rule: NumRule): number {
  if (raw === undefined) return fallback;
  const kind = rule.integer ? 'an integer' : 'a number';
  if (typeof raw !== 'number' || !Number.isFinite(raw) || (rule.integer && !Number.isInteger(raw))) {
    problems.push({ field, message: `expected ${kind} in [${rule.min}, ${rule.max}], got ${show(raw)}` });
    return fallback;
  }
  if (raw < rule.min || raw > rule.max) {
    problems.push({ field, message: `expected ${kind} in [${rule.min}, ${rule.max}], got ${raw}` });
    return fallback;
  }
  return raw;
}

/** Reports keys the schema does not know (typos) and returns the object, or {} when it is not an object. */
function obj(problems: Problems, field: string, raw: unknown, known: readonly string[]): Record<string, unknown> {
  if (raw === undefined) return {};
  if (!isRecord(raw)) {
    problems.push({ field, message: `expected an object, got ${show(raw)}` });
    return {};
  }
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) {
      problems.push({ field: `${field}.${key}`, message: `unknown field (known: ${known.join(', ')})` });
    }
  }
  return raw;
}

const PROB: NumRule = { min: 0, max: 1 };
const WEIGHT: NumRule = { min: 0, max: 1e9 };

/**
 * Validates an untrusted (e.g. parsed YAML/JSON) profile. Missing fields take DEFAULT_PROFILE's value; unknown
 * fields, wrong types and out-of-range values throw a ProfileError listing every offending field.
 */
export function parseProfile(input: unknown, field = 'profile'): WorkloadProfile {
  const p: Problems = [];
  const d = DEFAULT_PROFILE;
  const o = obj(p, field, input, Object.keys(d));
  const mixIn = obj(p, `${field}.mix`, o['mix'], Object.keys(d.mix));
  const burstIn = obj(p, `${field}.hotKeyBurst`, o['hotKeyBurst'], Object.keys(d.hotKeyBurst));
  const idsIn = obj(p, `${field}.ids`, o['ids'], Object.keys(d.ids));

  const mix: MixWeights = {
    insert: num(p, `${field}.mix.insert`, mixIn['insert'], d.mix.insert, WEIGHT),
    update: num(p, `${field}.mix.update`, mixIn['update'], d.mix.update, WEIGHT),
    delete: num(p, `${field}.mix.delete`, mixIn['delete'], d.mix.delete, WEIGHT),
    reinsert: num(p, `${field}.mix.reinsert`, mixIn['reinsert'], d.mix.reinsert, WEIGHT),
    txn: num(p, `${field}.mix.txn`, mixIn['txn'], d.mix.txn, WEIGHT),
  };
  if (mix.insert + mix.update + mix.delete + mix.reinsert + mix.txn <= 0) {
    p.push({ field: `${field}.mix`, message: 'at least one weight must be > 0' });
  }
  if (mix.insert === 0 && mix.reinsert === 0 && mix.txn === 0) {
    // Nothing would ever create a row, so updates and deletes would have nothing to act on.
    p.push({ field: `${field}.mix.insert`, message: 'insert, reinsert or txn must have a weight > 0' });
  }

  const ids: IdRange = {
    base: num(p, `${field}.ids.base`, idsIn['base'], d.ids.base, { min: 1, max: MAX_INT4, integer: true }),
    span: num(p, `${field}.ids.span`, idsIn['span'], d.ids.span, { min: 1, max: MAX_INT4, integer: true }),
  };
  if (ids.base + ids.span - 1 > MAX_INT4) {
    p.push({
      field: `${field}.ids.span`,
      message: `base + span - 1 = ${ids.base + ids.span - 1} exceeds int4 (${MAX_INT4})`,
    });
  }

  const profile: WorkloadProfile = {
    ratePerSec: num(p, `${field}.ratePerSec`, o['ratePerSec'], d.ratePerSec, { min: 0, max: 1e7 }),
    durationMs: num(p, `${field}.durationMs`, o['durationMs'], d.durationMs, {
      min: 1,
      max: 7 * 86_400_000,
      integer: true,
    }),
    concurrency: num(p, `${field}.concurrency`, o['concurrency'], d.concurrency, {
      min: 1,
      max: ID_SHARDS,
      integer: true,
    }),
    keySpace: num(p, `${field}.keySpace`, o['keySpace'], d.keySpace, { min: 1, max: MAX_INT4, integer: true }),
    mix,
    hotKeyBurst: {
      probability: num(p, `${field}.hotKeyBurst.probability`, burstIn['probability'], d.hotKeyBurst.probability, PROB),
      size: num(p, `${field}.hotKeyBurst.size`, burstIn['size'], d.hotKeyBurst.size, {
        min: 1,
        max: 100_000,
        integer: true,
      }),
    },
    toastProbability: num(p, `${field}.toastProbability`, o['toastProbability'], d.toastProbability, PROB),
    priceChangeOnlyProbability: num(
      p,
      `${field}.priceChangeOnlyProbability`,
      o['priceChangeOnlyProbability'],
      d.priceChangeOnlyProbability,
      PROB,
    ),
    batch: num(p, `${field}.batch`, o['batch'], d.batch, { min: 1, max: 10_000, integer: true }),
    maxOps: num(p, `${field}.maxOps`, o['maxOps'], d.maxOps, { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true }),
    ids,
  };
  if (profile.keySpace > ids.span) {
    p.push({
      field: `${field}.keySpace`,
      message: `${profile.keySpace} exceeds the id range size ids.span = ${ids.span}`,
    });
  }
  if (p.length > 0) throw new ProfileError(p);
  return profile;
}
