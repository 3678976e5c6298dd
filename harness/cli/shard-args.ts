import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SuiteRecord } from '../report/suite/model.ts';
import { MAX_SHARDS, parseShard, type Shard } from '../scenario/shard.ts';
import { ConfigError } from '../util/errors.ts';

export const SHARD_HELP = `  --shard I/N       the I-th of N shares of the scenarios named (or of --all), for N CI
                    runners that together run each scenario once; the split depends only on the scenario
                    files (their planned length) and --timings, so every runner computes the same one. The
                    suite records the share; \`report --merge\` joins the runners' suites and says whether
                    all N are there
  --timings FILE    balance the shards by the durations an earlier suite recorded (its suite.json, e.g. the
                    merged suite of the last run on main); every shard must be given the same file`;

export interface ShardAsk {
  shard: Shard;
  /** Recorded durations by scenario name (empty without --timings). */
  recordedMs: Map<string, number>;
}

/** Each scenario's duration in a suite record (a scenario run twice: the longer). */
export function recordedDurations(record: Pick<SuiteRecord, 'rows'>): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of record.rows)
    if (r.durationMs !== null) out.set(r.scenario, Math.max(out.get(r.scenario) ?? 0, r.durationMs));
  return out;
}

function readTimings(path: string): Map<string, number> {
  const file = existsSync(path) && statSync(path).isDirectory() ? join(path, 'suite.json') : path;
  let record: SuiteRecord;
  try {
    record = JSON.parse(readFileSync(file, 'utf8')) as SuiteRecord;
  } catch (err) {
    throw new ConfigError(
      `--timings ${path}: not a readable suite.json (${(err as Error).message})`,
      'pass the suite.json of an earlier suite (reports/latest-suite/suite.json), or leave --timings out',
    );
  }
  if (!Array.isArray(record.rows))
    throw new ConfigError(`--timings ${path}: no rows, not a suite.json`, 'pass reports/<suite>/suite.json');
  return recordedDurations(record);
}

export function shardOpt(v: string | boolean | undefined, timings: string | boolean | undefined): ShardAsk | undefined {
  if (typeof timings === 'string' && typeof v !== 'string')
    throw new ConfigError('--timings balances shards, and no --shard was given', 'add --shard I/N, or drop --timings');
  if (typeof v !== 'string') return undefined;
  const shard = parseShard(v);
  if (!shard)
    throw new ConfigError(
      `--shard must be I/N with 1 ≤ I ≤ N ≤ ${MAX_SHARDS}, got "${v}"`,
      'e.g. --shard 2/4 (the second of four runners)',
    );
  return { shard, recordedMs: typeof timings === 'string' ? readTimings(timings) : new Map() };
}
