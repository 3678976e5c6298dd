/**
 * `npm test` wall time, read from the last run's reports/vitest-results.json (the benchmark never runs the
 * suite itself: it brings up its own stack and takes many minutes). Only a run that covered every test file
 * counts; a partial run (one file, --project unit, a filter) is reported as "not measured".
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { metric, type BenchContext, type Measure, type MeasureOutput } from '../lib/measure.ts';
import { PROJECT_ROOT } from '../lib/paths.ts';

interface VitestJson {
  startTime?: number;
  success?: boolean;
  numTotalTests?: number;
  numFailedTests?: number;
  testResults?: { name: string; startTime?: number; endTime?: number; status?: string }[];
}

export interface NpmTestReading {
  file: string;
  measured: boolean;
  reason?: string;
  startedAt?: string;
  wallMs?: number;
  files: number;
  expectedFiles: number;
  tests: number;
  failed: number;
  slowestFiles: { file: string; ms: number }[];
}

/** Test files vitest.config.ts selects: harness/**\/*.test.ts, bench/**\/*.test.ts, test/**\/*.int.test.ts. */
export function expectedTestFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir)) {
      if (e === 'node_modules') continue;
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e.endsWith('.test.ts')) out.push(relative(root, p));
    }
  };
  for (const d of ['harness', 'bench']) walk(join(root, d));
  const testDir = join(root, 'test');
  const ints: string[] = [];
  const walkInt = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walkInt(p);
      else if (e.endsWith('.int.test.ts')) ints.push(relative(root, p));
    }
  };
  walkInt(testDir);
  return [...out, ...ints].sort();
}

export function readVitestResults(
  json: VitestJson,
  file: string,
  expected: readonly string[],
  root: string,
): NpmTestReading {
  const results = json.testResults ?? [];
  const ran = new Set(results.map((r) => relative(root, r.name)));
  const ends = results.map((r) => r.endTime).filter((x): x is number => typeof x === 'number');
  const wallMs = json.startTime !== undefined && ends.length ? Math.max(...ends) - json.startTime : undefined;
  const missing = expected.filter((f) => !ran.has(f));
  const base: NpmTestReading = {
    file,
    measured: false,
    files: results.length,
    expectedFiles: expected.length,
    tests: json.numTotalTests ?? 0,
    failed: json.numFailedTests ?? 0,
    slowestFiles: results
      .filter((r) => r.startTime !== undefined && r.endTime !== undefined)
      .map((r) => ({ file: relative(root, r.name), ms: Math.round(r.endTime! - r.startTime!) }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 8),
    ...(json.startTime !== undefined ? { startedAt: new Date(json.startTime).toISOString() } : {}),
    ...(wallMs !== undefined ? { wallMs: Math.round(wallMs) } : {}),
  };
  if (wallMs === undefined) return { ...base, reason: 'the results carry no start/end times' };
  if (missing.length > 0) {
    return {
      ...base,
      reason:
        `partial run: ${results.length} of ${expected.length} test files ` +
        `(missing e.g. ${missing.slice(0, 3).join(', ')})`,
    };
  }
  return { ...base, measured: true };
}

export const npmTestMeasure: Measure = {
  name: 'npm-test',
  title: '`npm test` wall time (from the last reports/vitest-results.json)',
  needsStack: false,
  async run(_ctx: BenchContext): Promise<MeasureOutput> {
    const file = join(PROJECT_ROOT, 'reports', 'vitest-results.json');
    // The goal the suite is held to on a 2-core machine with everything it runs (the capacity issue's).
    const target = { kind: 'max' as const, value: 35 };
    if (!existsSync(file)) {
      return {
        metrics: [
          metric(
            'npm-test.wall',
            '`npm test` wall time',
            'min',
            [],
            target,
            'not measured: no reports/vitest-results.json',
          ),
        ],
        details: { file, measured: false },
      };
    }
    const reading = readVitestResults(
      JSON.parse(readFileSync(file, 'utf8')) as VitestJson,
      file,
      expectedTestFiles(PROJECT_ROOT),
      PROJECT_ROOT,
    );
    const samples = reading.measured && reading.wallMs !== undefined ? [reading.wallMs / 60_000] : [];
    const note = reading.measured
      ? `run of ${reading.startedAt}, ${reading.tests} tests, ${reading.failed} failed`
      : `not measured: ${reading.reason}`;
    return {
      metrics: [metric('npm-test.wall', '`npm test` wall time', 'min', samples, target, note)],
      details: reading,
    };
  },
};
