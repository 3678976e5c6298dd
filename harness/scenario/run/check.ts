import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { awaitConvergence, type Flap } from '../../check/converge.ts';
import {
  DEFAULT_EARLY_STOP,
  decideEarlyStop,
  type EarlyStopPolicy,
  type Observation,
  type Role,
} from '../../check/early-verdict.ts';
import type { LatestView } from '../../observe/observers.ts';
import { hasConnectors } from '../../pipeline/kind.ts';
import { buildVersionsAsync, type VersionsIndex as Versions } from '../../check/versions.ts';
import type { PipelineDefinition } from '../../pipeline/definition.ts';
import type { Comparison, Verdict } from '../../record/anomalies.ts';
import { readHistory } from '../../record/history-file.ts';
import { writeSnapshot } from '../../record/snapshot-file.ts';
import { info } from '../../util/log.ts';
import { fmtMs } from '../progress.ts';
import { snapshotter, type Snapshotter } from '../snapshot.ts';
import { modelledTables, ownTablesSnapshotter, ownTableVersions } from './own-tables.ts';
import type { RunContext } from './context.ts';

export interface CheckResult {
  verdict: Verdict;
  timeToConvergenceMs: number | null;
  comparison: Comparison;
  flaps: Flap[];
  settleMs: number;
  settleSnapshots?: number;
  /** The wait ended before its deadline: nothing could change any more (ms since the heal, and why). */
  endedEarly?: { atMs: number; reason: string };
}

/** The committed versions of every row: of products, or of each of a definition's own tables by name. */
export type Quiesced = Versions | Map<string, Versions>;

/** After the heal: a test's tampering hook, then the committed versions of every row, from the history. */
export async function quiesce(ctx: RunContext, def: PipelineDefinition): Promise<Quiesced> {
  await ctx.o.beforeCheck?.({
    endpoints: ctx.provider.endpoints,
    names: ctx.plan.names,
    table: def.table,
    runDir: ctx.runDir,
  });
  const history = (): ReturnType<typeof readHistory> => readHistory(join(ctx.runDir, 'history.jsonl'));
  const tables = modelledTables(def);
  return tables ? ownTableVersions(history, tables) : buildVersionsAsync(history());
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
  versions: Quiesced,
  healedAt: number,
  observers?: { latest(): LatestView },
): Promise<Checked> {
  const ep = ctx.provider.endpoints;
  const budgetMs = ctx.o.scenario.budget.convergenceMs;
  const tables = modelledTables(def);
  // A definition's own tables are judged on their totals, and each table's snapshot is kept for the re-check.
  const snap: Snapshotter =
    versions instanceof Map
      ? ownTablesSnapshotter(ep, tables ?? [], versions)
      : snapshotter(ep, def.table, ctx.plan.names.index, versions, ctx.o.scenario.expect.fields);
  const observed: Observation[] = [];
  const relay = hasConnectors(def.pipeline);
  const policy = earlyStopPolicy(ctx, relay);
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
    // Without the observers' figures there is no evidence that nothing moves: the wait runs to its deadline.
    stopEarly: observers
      ? (c, elapsedMs) => {
          observed.push(
            observation(ctx, c && { equal: c.equal, fingerprint: fingerprintOf(snap, c) }, {
              atMs: elapsedMs,
              relay,
              latest: observers.latest(),
            }),
          );
          const d = decideEarlyStop(observed, policy);
          return d.stop ? d.reason : undefined;
        }
      : undefined,
  });
  ctx.progress.done();
  // What the verdict was judged on, for `report --recheck`.
  const saved = snap.savedFor(result.last);
  if (saved) writeSnapshot(ctx.runDir, saved);
  const notes = result.lastError ? [`a snapshot failed during the check: ${result.lastError}`] : [];
  const early = result.endedEarly;
  if (early) {
    const line = `the check ended early at ${fmtMs(early.atMs)} after the heal: ${early.reason}`;
    notes.push(line);
    info(`  ${line}`);
    ctx.timeline.record({ t: healedAt + early.atMs, kind: 'note', message: line });
  }
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
      ...(result.endedEarly ? { endedEarly: result.endedEarly } : {}),
    },
    notes,
  };
}

/**
 * The scenario's operator rules decide which FAILED tasks are not final. With a relay, only a FAILED task ends the
 * wait early: "every hop drained" was seen to hold while Debezium retried a slot an old walsender still held (it
 * retries for up to a minute with its task RUNNING, and the slot looks active and drained), and stopping there
 * gave a healthy flapping-network run a false diverged. Without a relay (dual writes) nothing can change.
 */
function earlyStopPolicy(ctx: RunContext, relay: boolean): EarlyStopPolicy {
  const restartable = new Set<Role>();
  for (const r of ctx.o.scenario.operator) {
    if (r.connector === 'any' || r.connector === 'source') restartable.add('source');
    if (r.connector === 'any' || r.connector === 'sink') restartable.add('sink');
  }
  return { ...DEFAULT_EARLY_STOP, ...(relay ? { quietMs: Number.POSITIVE_INFINITY } : {}), restartable };
}

/** One observation for the early-stop decision: the snapshot's outcome with the observers' latest figures. */
function observation(
  ctx: RunContext,
  snapshot: Observation['snapshot'],
  o: { atMs: number; relay: boolean; latest: LatestView },
): Observation {
  const states = o.latest.connectorStates;
  const { source, sink } = ctx.plan.connectors;
  return {
    atMs: o.atMs,
    relay: o.relay,
    ...(snapshot ? { snapshot } : {}),
    ...(o.latest.slotLagBytes !== undefined ? { slotLagBytes: o.latest.slotLagBytes } : {}),
    ...(o.latest.slotActive !== undefined ? { slotActive: o.latest.slotActive } : {}),
    ...(o.latest.consumerLag !== undefined ? { consumerLag: o.latest.consumerLag } : {}),
    ...(o.latest.probeLagMs !== undefined ? { probeLagMs: o.latest.probeLagMs } : {}),
    connectors: {
      ...(states[source] ? { source: states[source] } : {}),
      ...(states[sink] ? { sink: states[sink] } : {}),
    },
  };
}

/**
 * What a snapshot saw, as one string: the digests of both stores (any change to a row or document changes
 * them) and the anomaly counts; without digests, the counts and the examples' product_ids and details.
 */
function fingerprintOf(snap: Partial<Pick<Snapshotter, 'savedFor'>>, c: Comparison): string {
  const saved = snap.savedFor?.(c);
  const h = createHash('sha256').update(JSON.stringify([c.pgRows, c.esDocs, c.counts, c.setupErrors.count]));
  if (saved) h.update(`${saved.digests.pg}:${saved.digests.es}`);
  else
    for (const list of Object.values(c.examples))
      for (const a of list) h.update(`${a.class}:${a.product_id}:${a.detail}\n`);
  return h.digest('hex').slice(0, 16);
}
