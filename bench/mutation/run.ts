/**
 * `npm run mutation`: mutation testing of the checker (harness/check/) and the judge (harness/scenario/judge.ts)
 * with StrykerJS (config: stryker.config.mjs), then a summary that the next run compares with.
 *
 * - runs Stryker in incremental mode: a mutant whose code and covering tests did not change keeps its result from
 *   the last run (reports/mutation/stryker-incremental.json, a local cache). Survivors are always tested again:
 *   Stryker would keep a survivor whose test was only strengthened, and a static mutant (module-level code,
 *   e.g. a regex constant) has no covering tests to see change. Extra arguments are passed on, e.g.
 *   `npm run mutation -- --force` to test every mutant again;
 * - writes bench/mutation/results.json: the date, the duration, and per file, per folder and in total the
 *   mutation score and the killed / survived / timeout / no-coverage counts;
 * - prints the change against the results.json it replaces, and every surviving mutant that
 *   bench/mutation/EQUIVALENT.md does not explain (each needs a test that kills it, or a line there saying why
 *   no test can);
 * - exits 1 when harness/check/ scores below 95 %, or when a surviving mutant is neither killed nor explained.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { matches, oneLine, parseEquivalent, type Survivor } from './equivalent.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RESULTS = join(ROOT, 'bench/mutation/results.json');
const EQUIVALENT = join(ROOT, 'bench/mutation/EQUIVALENT.md');
const REPORT = join(ROOT, 'reports/mutation/mutation.json');
const INCREMENTAL = join(ROOT, 'reports/mutation/stryker-incremental.json');
/** The target for the checker's folder. */
const TARGET = { group: 'harness/check', score: 95 };

export type Status =
  'Killed' | 'Survived' | 'Timeout' | 'NoCoverage' | 'CompileError' | 'RuntimeError' | 'Ignored' | 'Pending';

export interface Counts {
  /** (killed + timeout) / (killed + timeout + survived + noCoverage), in %, one decimal; null without mutants. */
  score: number | null;
  mutants: number;
  killed: number;
  survived: number;
  timeout: number;
  noCoverage: number;
  /** Compile and runtime errors: mutants that did not run (not in the score). */
  errors: number;
}

export interface Results {
  date: string;
  durationSeconds: number;
  /** Whether Stryker could reuse results from an earlier run (reports/mutation/stryker-incremental.json). */
  incremental: boolean;
  stryker: string;
  total: Counts;
  /** Per folder of mutated files (harness/check, harness/scenario). */
  groups: Record<string, Counts>;
  files: Record<string, Counts>;
  /** Surviving mutants that EQUIVALENT.md lists as equivalent, and those it does not. */
  equivalentListed: number;
  unexplained: number;
}

interface ReportMutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: Status;
  location: { start: { line: number; column: number } };
}

interface MutationReport {
  files: Record<string, { source: string; mutants: ReportMutant[] }>;
}

export function emptyCounts(): Counts {
  return { score: null, mutants: 0, killed: 0, survived: 0, timeout: 0, noCoverage: 0, errors: 0 };
}

export function add(c: Counts, status: Status): void {
  c.mutants++;
  if (status === 'Killed') c.killed++;
  else if (status === 'Survived') c.survived++;
  else if (status === 'Timeout') c.timeout++;
  else if (status === 'NoCoverage') c.noCoverage++;
  else if (status === 'CompileError' || status === 'RuntimeError') c.errors++;
  const valid = c.killed + c.timeout + c.survived + c.noCoverage;
  c.score = valid === 0 ? null : Math.round(((c.killed + c.timeout) / valid) * 1000) / 10;
}

/** Per file, per folder and in total, from Stryker's JSON report (mutation-testing-report-schema). */
export function summarise(report: MutationReport): {
  total: Counts;
  groups: Record<string, Counts>;
  files: Record<string, Counts>;
  survivors: Survivor[];
} {
  const total = emptyCounts();
  const groups: Record<string, Counts> = {};
  const files: Record<string, Counts> = {};
  const survivors: Survivor[] = [];
  for (const name of Object.keys(report.files).sort()) {
    const file = report.files[name]!;
    const lines = file.source.split('\n');
    const group = dirname(name);
    const perFile = (files[name] = emptyCounts());
    const perGroup = (groups[group] ??= emptyCounts());
    for (const m of file.mutants) {
      add(total, m.status);
      add(perGroup, m.status);
      add(perFile, m.status);
      if (m.status === 'Survived' || m.status === 'NoCoverage') {
        const line = m.location.start.line;
        survivors.push({
          file: name,
          line,
          mutator: m.mutatorName,
          replacement: oneLine(m.replacement ?? ''),
          status: m.status,
          code: (lines[line - 1] ?? '').trim(),
        });
      }
    }
  }
  survivors.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  return { total, groups, files, survivors };
}

function fmt(score: number | null): string {
  return score === null ? 'n/a' : score.toFixed(1);
}

function delta(now: number | null, before: number | null | undefined): string {
  if (now === null || before === null || before === undefined) return '';
  const d = Math.round((now - before) * 10) / 10;
  return d === 0 ? ' (=)' : ` (${d > 0 ? '+' : ''}${d.toFixed(1)})`;
}

function countDelta(now: number, before: number | undefined): string {
  if (before === undefined || now === before) return String(now);
  return `${now} (${now > before ? '+' : ''}${now - before})`;
}

/** One line per total, folder and file: the score and the counts, each with its change since `previous`. */
export function table(results: Results, previous: Results | undefined): string {
  const rows: [string, Counts, Counts | undefined][] = [['total', results.total, previous?.total]];
  for (const [group, counts] of Object.entries(results.groups)) {
    rows.push([`${group}/`, counts, previous?.groups[group]]);
    for (const [file, c] of Object.entries(results.files))
      if (dirname(file) === group) rows.push([`  ${file}`, c, previous?.files[file]]);
  }
  const cells = [
    ['file', 'score %', 'killed', 'survived', 'timeout', 'no-cov'],
    ...rows.map(([name, c, p]) => [
      name,
      fmt(c.score) + delta(c.score, p?.score),
      countDelta(c.killed, p?.killed),
      countDelta(c.survived, p?.survived),
      countDelta(c.timeout, p?.timeout),
      countDelta(c.noCoverage, p?.noCoverage),
    ]),
  ];
  const widths = cells[0]!.map((_, col) => Math.max(...cells.map((r) => r[col]!.length)));
  return cells
    .map((r) =>
      r
        .map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function runStryker(args: string[]): Promise<number> {
  const bin = join(ROOT, 'node_modules/.bin/stryker');
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['run', ...args], { cwd: ROOT, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/**
 * Drops the surviving and uncovered mutants from the incremental file, so that Stryker tests them again; returns
 * how many it dropped. Killed and timed-out results stay reusable: Stryker re-tests those when their code or a
 * covering test changes.
 */
export function forgetSurvivors(incremental: MutationReport): number {
  let dropped = 0;
  for (const file of Object.values(incremental.files)) {
    const kept = file.mutants.filter((m) => m.status !== 'Survived' && m.status !== 'NoCoverage');
    dropped += file.mutants.length - kept.length;
    file.mutants = kept;
  }
  return dropped;
}

async function readJson<T>(path: string): Promise<T | undefined> {
  return existsSync(path) ? (JSON.parse(await readFile(path, 'utf8')) as T) : undefined;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const previous = await readJson<Results>(RESULTS);
  const incremental = existsSync(INCREMENTAL) && !args.includes('--force');
  if (incremental) {
    const cache = (await readJson<MutationReport>(INCREMENTAL))!;
    const dropped = forgetSurvivors(cache);
    await writeFile(INCREMENTAL, JSON.stringify(cache));
    console.log(`incremental: ${dropped} surviving mutants of the last run are tested again`);
  }
  const started = Date.now();
  const code = await runStryker(args);
  const durationSeconds = Math.round((Date.now() - started) / 1000);
  if (code !== 0) {
    console.error(`stryker exited with ${code}; results.json left as it was`);
    return code;
  }
  const report = await readJson<MutationReport>(REPORT);
  if (report === undefined) throw new Error(`${relative(ROOT, REPORT)} is missing: did the json reporter run?`);
  const { total, groups, files, survivors } = summarise(report);

  const listed = parseEquivalent((await readFile(EQUIVALENT, 'utf8').catch(() => '')) as string);
  const unexplained = survivors.filter((s) => !listed.some((l) => matches(s, l)));
  const stale = listed.filter((l) => !survivors.some((s) => matches(s, l)));
  const strykerVersion = (
    (await readJson<{ version: string }>(join(ROOT, 'node_modules/@stryker-mutator/core/package.json'))) ?? {
      version: '?',
    }
  ).version;

  const results: Results = {
    date: new Date(started).toISOString(),
    durationSeconds,
    incremental,
    stryker: strykerVersion,
    total,
    groups,
    files,
    equivalentListed: survivors.length - unexplained.length,
    unexplained: unexplained.length,
  };
  await writeFile(RESULTS, JSON.stringify(results, null, 2) + '\n');

  console.log('');
  console.log(
    previous
      ? `Mutation score, change since ${previous.date}:`
      : 'Mutation score (no earlier results.json to compare with):',
  );
  console.log(table(results, previous));
  console.log(
    `\n${durationSeconds} s${incremental ? ' (incremental)' : ''}; ` +
      `${results.equivalentListed} surviving mutants listed as equivalent in bench/mutation/EQUIVALENT.md`,
  );
  if (stale.length > 0) {
    console.log(
      `\n${stale.length} EQUIVALENT.md entries no longer survive ` +
        '(the code moved, or a test kills them now): update the list',
    );
    for (const l of stale) console.log(`  ${l.file}:${l.line} ${l.mutator} → ${l.replacement}`);
  }
  let failed = false;
  if (unexplained.length > 0) {
    failed = true;
    console.log(
      `\n${unexplained.length} surviving mutants are neither killed by a test nor explained in EQUIVALENT.md:`,
    );
    for (const s of unexplained)
      console.log(`  ${s.file}:${s.line} ${s.status} ${s.mutator} → ${s.replacement}\n      ${s.code}`);
  }
  const target = groups[TARGET.group]?.score ?? null;
  if (target === null || target < TARGET.score) {
    failed = true;
    console.log(`\n${TARGET.group}/ scores ${target ?? 'n/a'} %, below the target of ${TARGET.score} %`);
  }
  console.log(`\nwrote ${relative(ROOT, RESULTS)}; the full report: reports/mutation/index.html`);
  return failed ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.stack : error);
      process.exit(1);
    },
  );
}
