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

export interface CompareOptions {
  scenarios: Scenario[];
  /** Definition directories, in the order the runs go and the columns read. */
  pipelines: string[];
  provider: Provider;
  seed?: number;
  durationMs?: number;
  ratePerSec?: number;
  signal?: AbortSignal;
  /** The command that replays the whole comparison. */
  replay: string;
  /** The command that replays one run of it. */
  runReplay: (scenario: Scenario, seed: number, pipeline: string) => string;
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

/** Runs every scenario on every pipeline, writes the comparison, and returns it with every run's result. */
export async function runComparison(o: CompareOptions): Promise<{ comparison: Comparison; results: RunResult[] }> {
  const at = o.now ?? new Date();
  const id = compareId(o, at);
  const dir = join(reportsRoot(), id);
  const pipelines = o.pipelines.map((p) => ({ pipeline: pipelineName(p), kind: readPipelineSpec(resolve(p)).kind }));
  const scenarios: ComparedScenario[] = [];
  const results: RunResult[] = [];
  for (const scenario of o.scenarios) {
    const seed = o.seed ?? scenario.seed;
    const section: ComparedScenario = {
      scenario: scenario.name,
      description: scenario.description,
      seed,
      faults: '',
      runs: [],
    };
    scenarios.push(section);
    for (const [i, dirArg] of o.pipelines.entries()) {
      if (o.signal?.aborted) break;
      const p = pipelines[i] ?? { pipeline: dirArg, kind: 'cdc' };
      info(`\n━━ compare ${scenario.name} (seed ${seed}) on ${p.pipeline} (${p.kind})`);
      const result = await runScenario({
        scenario,
        provider: o.provider,
        connectorsDir: dirArg,
        seed,
        durationMs: o.durationMs,
        ratePerSec: o.ratePerSec,
        replay: o.runReplay(scenario, seed, p.pipeline),
        signal: o.signal,
      });
      results.push(result);
      // The schedule is a function of the scenario and the seed: the same for every pipeline.
      section.faults ||= describeSchedule(result.schedule);
      const run: ComparedRun = { ...p, report: result.report, runDir: result.runDir };
      section.runs.push(run);
      o.onRun?.(run, result);
    }
  }
  const comparison: Comparison = { id, dir, createdAt: at.toISOString(), replay: o.replay, pipelines, scenarios };
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
