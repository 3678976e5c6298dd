/**
 * `report --merge`: the suites of several CI runners (each a `run --shard i/n`) as one suite, and whether the
 * shards are all there — a matrix job that died, or a runner that split differently, must not pass as complete.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { ConfigError } from '../../util/errors.ts';
import { totalsOf, type SuiteRecord, type SuiteRow } from './model.ts';
import type { SuiteMeta } from './write.ts';

export interface FoundSuite {
  record: SuiteRecord;
  dir: string;
}

const SUITE_JSON = 'suite.json';
/** How deep under a given directory suites are looked for (an artifact download: shard-1/reports/suite-…/). */
const DEPTH = 4;

function readRecord(dir: string): FoundSuite | undefined {
  try {
    const record = JSON.parse(readFileSync(join(dir, SUITE_JSON), 'utf8')) as SuiteRecord;
    return record.schemaVersion === 1 && Array.isArray(record.rows) ? { record, dir } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The suites at or under each path: a suite directory itself, else every suite directory below it (symlinks such
 * as latest-suite are not followed: they point at a suite found anyway). A path without any is an error.
 */
export function findSuites(paths: readonly string[]): FoundSuite[] {
  const out: FoundSuite[] = [];
  const walk = (dir: string, depth: number): void => {
    const here = existsSync(join(dir, SUITE_JSON)) ? readRecord(dir) : undefined;
    if (here) return void out.push(here);
    if (depth === 0) return;
    for (const e of readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory() && e.name !== 'node_modules') walk(join(dir, e.name), depth - 1);
  };
  for (const p of paths) {
    const dir = resolve(p);
    if (!existsSync(dir)) throw new ConfigError(`${p}: no such directory`, 'pass the directories the shards wrote');
    const before = out.length;
    walk(dir, DEPTH);
    if (out.length === before)
      throw new ConfigError(
        `${p} holds no suite (suite.json)`,
        'pass the reports/ of each shard (a `run --all --shard i/n` writes reports/suite-…/)',
      );
  }
  return out;
}

/** What keeps a set of shard suites from being the whole split: missing, repeated or disagreeing shards. */
export function shardProblems(suites: readonly FoundSuite[]): string[] {
  const sharded = suites.filter((s) => s.record.shard);
  if (sharded.length === 0) return [];
  const problems: string[] = [];
  const first = sharded[0]!.record.shard!;
  const same = (a: readonly string[], b: readonly string[]): boolean =>
    a.length === b.length && a.every((x, i) => x === b[i]);
  for (const s of sharded.slice(1)) {
    const sh = s.record.shard!;
    if (sh.count !== first.count || !same(sh.of, first.of))
      problems.push(
        `${s.dir} split ${sh.of.length} scenarios ${sh.count} ways, ${sharded[0]!.dir} ${first.of.length} ` +
          `${first.count} ways: every shard must run the same command (same names or --all, same --timings)`,
      );
  }
  for (let i = 1; i <= first.count; i++) {
    const n = sharded.filter((s) => s.record.shard!.index === i).length;
    if (n === 0) problems.push(`shard ${i}/${first.count} is missing`);
    if (n > 1) problems.push(`shard ${i}/${first.count} appears ${n} times (a retried job? pass one of them)`);
  }
  const assigned = sharded.flatMap((s) => s.record.shard!.assigned);
  const unassigned = first.of.filter((n) => !assigned.includes(n));
  if (problems.length === 0 && unassigned.length)
    problems.push(`no shard ran ${unassigned.join(', ')}: the shards split differently (same --timings file on all?)`);
  if (sharded.length < suites.length) problems.push(`${suites.length - sharded.length} of the suites are not shards`);
  return problems;
}

/** One record over every suite's rows, links pointing from the merged suite's directory to the same runs. */
export function mergeSuites(suites: readonly FoundSuite[], meta: SuiteMeta): SuiteRecord {
  const rows: SuiteRow[] = [...suites]
    .sort((a, b) => (a.record.shard?.index ?? 0) - (b.record.shard?.index ?? 0))
    .flatMap(({ record, dir }) =>
      record.rows.map((r) => ({ ...r, link: r.link === null ? null : relative(meta.dir, resolve(dir, r.link)) })),
    );
  return {
    schemaVersion: 1,
    ...meta,
    providers: [...new Set(suites.flatMap((s) => s.record.providers))],
    totals: totalsOf(rows),
    rows,
  };
}
