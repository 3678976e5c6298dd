import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../util/errors.ts';
import { recordedDurations, shardOpt } from './shard-args.ts';

describe('--shard and --timings', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outbox-chaos-shard-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads I/N, and no shard without the flag', () => {
    expect(shardOpt('3/4', undefined)).toEqual({ shard: { index: 3, count: 4 }, recordedMs: new Map() });
    expect(shardOpt(undefined, undefined)).toBe(undefined);
  });

  it('refuses a malformed share and timings without a shard, as bad usage (exit 2)', () => {
    for (const bad of ['5/4', '0/4', 'two/four', '']) {
      expect(() => shardOpt(bad, undefined), bad).toThrow(ConfigError);
      expect(() => shardOpt(bad, undefined)).toThrow(/--shard must be I\/N/);
    }
    expect(() => shardOpt(undefined, 'x.json')).toThrow(/no --shard was given/);
  });

  it('takes each scenario’s recorded duration from a suite.json (or its directory), the longer of two runs', () => {
    const rows = [
      { scenario: 'baseline', durationMs: 41_000 },
      { scenario: 'es-outage', durationMs: 30_000 },
      { scenario: 'es-outage', durationMs: 35_000 },
      { scenario: 'walsender-killed', durationMs: null },
    ];
    writeFileSync(join(dir, 'suite.json'), JSON.stringify({ schemaVersion: 1, rows }));
    const want = new Map([
      ['baseline', 41_000],
      ['es-outage', 35_000],
    ]);
    expect(shardOpt('1/2', dir)?.recordedMs).toEqual(want);
    expect(shardOpt('1/2', join(dir, 'suite.json'))?.recordedMs).toEqual(want);
    expect(recordedDurations({ rows: [] } as never)).toEqual(new Map());
  });

  it('names a timings file that is not a suite', () => {
    writeFileSync(join(dir, 'bad.json'), '{"rows": 3}');
    expect(() => shardOpt('1/2', join(dir, 'bad.json'))).toThrow(/not a suite.json/);
    expect(() => shardOpt('1/2', join(dir, 'none.json'))).toThrow(/not a readable suite.json/);
  });
});
