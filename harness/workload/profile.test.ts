import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE, parseProfile, ProfileError } from './profile.ts';

function problemsOf(input: unknown): string[] {
  try {
    parseProfile(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ProfileError);
    return (e as ProfileError).problems.map((p) => `${p.field}: ${p.message}`);
  }
  throw new Error('expected parseProfile to throw');
}

describe('parseProfile', () => {
  it('fills in defaults and merges nested objects', () => {
    expect(parseProfile({})).toEqual(DEFAULT_PROFILE);
    expect(parseProfile(undefined)).toEqual(DEFAULT_PROFILE);
    const p = parseProfile({ ratePerSec: 0, mix: { txn: 0 }, hotKeyBurst: { size: 3 }, ids: { base: 5 } });
    expect(p.ratePerSec).toBe(0);
    expect(p.mix).toEqual({ ...DEFAULT_PROFILE.mix, txn: 0 });
    expect(p.hotKeyBurst).toEqual({ probability: DEFAULT_PROFILE.hotKeyBurst.probability, size: 3 });
    expect(p.ids).toEqual({ base: 5, span: DEFAULT_PROFILE.ids.span });
  });

  it('names the field for wrong types and ranges', () => {
    expect(problemsOf({ ratePerSec: -1 })).toEqual(['profile.ratePerSec: expected a number in [0, 10000000], got -1']);
    expect(problemsOf({ concurrency: 1.5 })[0]).toMatch(
      /^profile\.concurrency: expected an integer in \[1, 64\], got 1\.5/,
    );
    expect(problemsOf({ concurrency: 65 })[0]).toMatch(/^profile\.concurrency: /);
    expect(problemsOf({ durationMs: '10s' })[0]).toBe(
      'profile.durationMs: expected an integer in [1, 604800000], got "10s"',
    );
    expect(problemsOf({ mix: { update: 'lots' } })[0]).toMatch(/^profile\.mix\.update: expected a number/);
    expect(problemsOf({ toastProbability: 1.2 })[0]).toMatch(
      /^profile\.toastProbability: expected a number in \[0, 1\]/,
    );
    expect(problemsOf({ hotKeyBurst: { probability: NaN } })[0]).toMatch(/^profile\.hotKeyBurst\.probability: /);
    expect(problemsOf({ batch: 0 })[0]).toMatch(/^profile\.batch: /);
    expect(problemsOf({ priceChangeOnlyProbability: null })[0]).toMatch(
      /^profile\.priceChangeOnlyProbability: .*got null/,
    );
  });

  it('rejects unknown fields (typos) and non-objects', () => {
    expect(problemsOf({ mxi: {} })[0]).toMatch(/^profile\.mxi: unknown field \(known: ratePerSec, /);
    expect(problemsOf({ mix: { updates: 1 } })[0]).toMatch(/^profile\.mix\.updates: unknown field/);
    expect(problemsOf([])).toEqual(['profile: expected an object, got []']);
    expect(problemsOf({ mix: 3 })).toEqual(['profile.mix: expected an object, got 3']);
  });

  it('checks cross-field constraints', () => {
    expect(problemsOf({ mix: { insert: 0, update: 0, delete: 0, reinsert: 0, txn: 0 } })).toContain(
      'profile.mix: at least one weight must be > 0',
    );
    expect(problemsOf({ mix: { insert: 0, reinsert: 0, txn: 0 } })[0]).toMatch(
      /^profile\.mix\.insert: insert, reinsert or txn/,
    );
    expect(problemsOf({ keySpace: 10, ids: { span: 5 } })[0]).toMatch(
      /^profile\.keySpace: 10 exceeds the id range size/,
    );
    expect(problemsOf({ ids: { base: 2_000_000_000, span: 200_000_000 } })[0]).toMatch(
      /^profile\.ids\.span: .* exceeds int4/,
    );
  });

  it('lists every problem at once, under the caller-chosen prefix', () => {
    try {
      parseProfile({ ratePerSec: 'fast', concurrency: 0, mix: { nope: 1 } }, 'scenario.workload');
      throw new Error('unreachable');
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toContain('scenario.workload.ratePerSec');
      expect(msg).toContain('scenario.workload.concurrency');
      expect(msg).toContain('scenario.workload.mix.nope');
    }
  });
});
