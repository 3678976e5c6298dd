import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixtureSuiteRuns } from '../../../test/fixtures/suite.ts';
import { ConfigError } from '../../util/errors.ts';
import { findSuites, mergeSuites, shardProblems } from './merge.ts';
import type { ShardRecord, SuiteRun } from './model.ts';
import { SUITE_FILES, writeSuite, writeSuiteRecord } from './write.ts';

const { runs } = fixtureSuiteRuns();
const ALL = runs.map((r) => r.report.scenario);

describe('report --merge', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'outbox-chaos-merge-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  /** What a CI runner uploads: its reports/ with the shard's suite in it. */
  function shard(index: number, count: number, mine: SuiteRun[], of = ALL, dir = `shard-${index}`): string {
    const reports = join(root, dir, 'reports');
    mkdirSync(reports, { recursive: true });
    const record: ShardRecord = { index, count, of, assigned: mine.map((r) => r.report.scenario) };
    writeSuite(mine, { title: `run --all --shard ${index}/${count}`, kind: 'run', root: reports, shard: record });
    return join(root, dir);
  }

  it('finds each shard under its artifact directory and joins the rows into one suite with one junit.xml', () => {
    const dirs = [shard(2, 2, runs.slice(3)), shard(1, 2, runs.slice(0, 3))];
    const suites = findSuites(dirs);
    expect(suites).toHaveLength(2);
    expect(shardProblems(suites)).toEqual([]);
    const out = join(root, 'merged');
    const dir = writeSuiteRecord({ title: 'run --all (merged)', kind: 'run', root: out }, (meta) =>
      mergeSuites(suites, meta),
    );
    const merged = JSON.parse(readFileSync(join(dir, SUITE_FILES.json), 'utf8'));
    // Shard order, whatever order the directories came in.
    expect(merged.rows.map((r: { name: string }) => r.name)).toEqual(runs.map((r) => r.name ?? r.report.scenario));
    expect(merged.totals).toEqual({ passed: 4, failed: 2, notReproduced: 0, skipped: 0 });
    // Links still reach the runs: the fixture's run directories are /reports/<id>.
    expect(merged.rows[0].link).toMatch(/^(\.\.\/)+reports\/20250314-092653Z-baseline-s42\/index\.html$/);
    const junit = readFileSync(join(dir, SUITE_FILES.junit), 'utf8');
    for (const name of ['baseline', 'kafka-partition']) expect(junit).toContain(`name="${name}"`);
  });

  it('says which shard is missing, repeated, or split another way', () => {
    const one = shard(1, 3, runs.slice(0, 2));
    const three = shard(3, 3, runs.slice(4));
    expect(shardProblems(findSuites([one, three]))).toEqual(['shard 2/3 is missing']);
    const again = shard(1, 3, runs.slice(0, 2), ALL, 'again');
    expect(shardProblems(findSuites([one, again, three]))).toContain(
      'shard 1/3 appears 2 times (a retried job? pass one of them)',
    );
    const other = shard(2, 3, runs.slice(2, 4), ALL.slice(1), 'other');
    expect(shardProblems(findSuites([one, other, three])).join('\n')).toMatch(/split 5 scenarios 3 ways/);
  });

  it('notices shards that split differently though each is there once', () => {
    // Runner 2 balanced with other timings: scenario 3 went to neither.
    const one = shard(1, 2, runs.slice(0, 3));
    const two = shard(2, 2, runs.slice(4));
    expect(shardProblems(findSuites([one, two]))).toEqual([
      `no shard ran ${ALL[3]}: the shards split differently (same --timings file on all?)`,
    ]);
  });

  it('refuses a directory without any suite, naming it', () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect(() => findSuites([empty])).toThrow(ConfigError);
    expect(() => findSuites([join(root, 'nope')])).toThrow(/no such directory/);
  });
});
