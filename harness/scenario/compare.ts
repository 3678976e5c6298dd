/**
 * `compare`: the same scenarios, seed and fault schedule against several pipeline definitions, one after
 * another on one provider, and one side-by-side report over them: reports/<compare-id>/ with compare.md,
 * index.html and compare.json. Each run also keeps its own run directory and report.
 */
import { mkdirPrivate, writePrivate } from '../util/private-files.ts';
import { redactDeep } from '../util/redact.ts';
import { join, relative, resolve } from 'node:path';
import { readPipelineSpec } from '../pipeline/kind.ts';
import type { Provider } from '../provider/interface.ts';
import { reportsRoot, workRoot } from '../record/paths.ts';
import { renderComparisonHtml } from '../report/compare-html.ts';
import {
  renderComparisonMarkdown,
  type ComparedRun,
  type ComparedScenario,
  type Comparison,
} from '../report/compare.ts';
import { info } from '../util/log.ts';
import { describeSchedule } from './random-chaos.ts';
import { runScenario, type RunResult } from './runner.ts';
import type { Scenario } from './schema.ts';

export const COMPARE_FILES = { markdown: 'compare.md', html: 'index.html', json: 'compare.json' } as const;

/** One column of a comparison: a pipeline definition, on a stack of some version set. */
export interface CompareColumn {
  /** Its column heading: the definition directory, or the version set that differs. */
  label: string;
  /** The definition directory (undefined: the healthy definition, connectors/). */
  dir?: string;
}

export interface CompareOptions {
  scenarios: Scenario[];
  /** In the order the runs go and the columns read. */
  columns: CompareColumn[];
  /** The stack a column runs on, and what to do when its runs are done (one stack for all, or one each). */
  open: (column: CompareColumn, index: number) => Promise<{ provider: Provider; release: () => Promise<void> }>;
  /** How the runs were made alike, for the report (default: one stack, one after another). */
  conditions?: string;
  seed?: number;
  durationMs?: number;
  ratePerSec?: number;
  signal?: AbortSignal;
  /** The command that replays the whole comparison. */
  replay: string;
  /** The command that replays one run of it. */
  runReplay: (scenario: Scenario, seed: number, column: CompareColumn) => string;
  /** Called after each run (the CLI prints its summary). */
  onRun?: (run: ComparedRun, result: RunResult) => void;
  now?: Date;
}

/** A definition directory as people type it: relative to the project when it is inside it. */
export function pipelineName(dir: string): string {
  const rel = relative(workRoot(), resolve(dir));
  return rel === '' ? 'connectors' : rel.startsWith('..') ? resolve(dir) : rel;
}

function compareId(o: CompareOptions, at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .replace('T', '-');
  const what = o.scenarios.length === 1 ? (o.scenarios[0]?.name ?? 'scenario') : `${o.scenarios.length}-scenarios`;
  return `compare-${stamp}-${what}`;
}

/**
 * Runs every scenario on every column, a column at a time (its stack opened once, released after its runs),
 * writes the comparison, and returns it with every run's result.
 */
export async function runComparison(o: CompareOptions): Promise<{ comparison: Comparison; results: RunResult[] }> {
  const at = o.now ?? new Date();
  const id = compareId(o, at);
  const dir = join(reportsRoot(), id);
  const columns = o.columns.map((c) => ({
    pipeline: c.label,
    kind: readPipelineSpec(resolve(c.dir ?? 'connectors')).kind,
  }));
  const scenarios: ComparedScenario[] = o.scenarios.map((scenario) => ({
    scenario: scenario.name,
    description: scenario.description,
    seed: o.seed ?? scenario.seed,
    faults: '',
    runs: [],
  }));
  const results: RunResult[] = [];
  for (const [i, column] of o.columns.entries()) {
    if (o.signal?.aborted) break;
    const { provider, release } = await o.open(column, i);
    try {
      for (const [j, scenario] of o.scenarios.entries()) {
        if (o.signal?.aborted) break;
        const section = scenarios[j]!;
        const p = columns[i]!;
        info(`\n━━ compare ${scenario.name} (seed ${section.seed}) on ${p.pipeline} (${p.kind})`);
        const result = await runScenario({
          scenario,
          provider,
          connectorsDir: column.dir,
          seed: section.seed,
          durationMs: o.durationMs,
          ratePerSec: o.ratePerSec,
          replay: o.runReplay(scenario, section.seed, column),
          signal: o.signal,
        });
        results.push(result);
        // The schedule is a function of the scenario and the seed: the same for every column.
        section.faults ||= describeSchedule(result.schedule);
        const run: ComparedRun = { ...p, report: result.report, runDir: result.runDir };
        section.runs.push(run);
        o.onRun?.(run, result);
      }
    } finally {
      await release();
    }
  }
  const comparison: Comparison = {
    id,
    dir,
    createdAt: at.toISOString(),
    replay: o.replay,
    ...(o.conditions ? { conditions: o.conditions } : {}),
    pipelines: columns,
    scenarios,
  };
  writeComparison(comparison);
  return { comparison, results };
}

/** Writes compare.md, index.html and compare.json into the comparison's directory, every secret masked. */
export function writeComparison(comparison: Comparison): void {
  const { dir } = comparison;
  mkdirPrivate(dir);
  const safe = redactDeep(comparison);
  writePrivate(join(dir, COMPARE_FILES.markdown), renderComparisonMarkdown(safe));
  writePrivate(join(dir, COMPARE_FILES.html), renderComparisonHtml(safe));
  const summary = {
    ...safe,
    scenarios: safe.scenarios.map((s) => ({
      ...s,
      runs: s.runs.map((r) => ({
        pipeline: r.pipeline,
        kind: r.kind,
        runDir: r.runDir,
        runId: r.report.runId,
        verdict: r.report.verdict,
        passed: r.report.passed,
      })),
    })),
  };
  writePrivate(join(dir, COMPARE_FILES.json), `${JSON.stringify(summary, null, 2)}\n`);
}
