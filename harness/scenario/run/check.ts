import { join } from 'node:path';
import { awaitConvergence, type Flap } from '../../check/converge.ts';
import { buildVersionsAsync, type VersionsIndex as Versions } from '../../check/versions.ts';
import type { PipelineDefinition } from '../../pipeline/definition.ts';
import type { Comparison, Verdict } from '../../record/anomalies.ts';
import { readHistory } from '../../record/history-file.ts';
import { writeSnapshot } from '../../record/snapshot-file.ts';
import { fmtMs } from '../progress.ts';
import { snapshotter } from '../snapshot.ts';
import type { RunContext } from './context.ts';

export interface CheckResult {
  verdict: Verdict;
  timeToConvergenceMs: number | null;
  comparison: Comparison;
  flaps: Flap[];
  settleMs: number;
  settleSnapshots?: number;
}

/** After the heal: a test's tampering hook, then the committed versions of every product, from the history. */
export async function quiesce(ctx: RunContext, def: PipelineDefinition): Promise<Versions> {
  await ctx.o.beforeCheck?.({
    endpoints: ctx.provider.endpoints,
    names: ctx.plan.names,
    table: def.table,
    runDir: ctx.runDir,
  });
  return buildVersionsAsync(readHistory(join(ctx.runDir, 'history.jsonl')));
}

/** The check's result, and what the report should say about how it went (a failed snapshot, a late overwrite). */
export interface Checked {
  result: CheckResult;
  notes: string[];
}

/** Polls both stores until they are equal or the deadline passes; time to convergence counts from the heal. */
export async function checkConvergence(
  ctx: RunContext,
  def: PipelineDefinition,
  versions: Versions,
  healedAt: number,
): Promise<Checked> {
  const ep = ctx.provider.endpoints;
  const budgetMs = ctx.o.scenario.budget.convergenceMs;
  const snap = snapshotter(ep, def.table, ctx.plan.names.index, versions);
  const result = await awaitConvergence({
    snapshot: snap.take,
    startMs: healedAt,
    budgetMs,
    deadlineMs: Math.max(budgetMs * 2, budgetMs + 10_000),
    pollMs: 500,
    settleMs: ctx.o.scenario.budget.settleMs,
    onPoll: (c, elapsed) =>
      ctx.progress.update(
        `  check  ${
          c.equal
            ? 'equal'
            : `${c.pgRows} rows vs ${c.esDocs} docs, differing: ${Object.entries(c.counts)
                .filter(([, n]) => n)
                .map(([k, n]) => `${n} ${k}`)
                .join(', ')}`
        }  ${fmtMs(elapsed)} since heal`,
      ),
  });
  ctx.progress.done();
  // What the verdict was judged on, for `report --recheck`.
  const saved = snap.savedFor(result.last);
  if (saved) writeSnapshot(ctx.runDir, saved);
  const notes = result.lastError ? [`a snapshot failed during the check: ${result.lastError}`] : [];
  for (const f of result.flaps)
    notes.push(
      `the stores were equal ${fmtMs(f.equalAtMs)} after the heal,` +
        ` then differed again ${fmtMs(f.differedAtMs)} after it: a late overwrite`,
    );
  return {
    result: {
      verdict: result.verdict,
      timeToConvergenceMs: result.timeToConvergenceMs,
      comparison: result.last,
      flaps: result.flaps,
      settleMs: ctx.o.scenario.budget.settleMs,
      settleSnapshots: result.settleSnapshots,
    },
    notes,
  };
}
