import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { awaitConvergence } from '../check/converge.ts';
import { buildVersionsAsync } from '../check/versions.ts';
import { ConnectClient } from '../connect/client.ts';
import { missingCapabilities, ScenarioSkipped } from '../faults/capabilities.ts';
import type { FaultContext } from '../faults/fault.ts';
import { createNemesis, type NemesisEntry } from '../faults/nemesis.ts';
import { makeFault } from '../faults/registry.ts';
import { startObservers } from '../observe/observers.ts';
import { loadDefinition, unscopedObjects, type PipelineDefinition, pipelineVars } from '../pipeline/definition.ts';
import { dropRunTopics, prepareStores, registerConnector, resetPipeline } from '../pipeline/lifecycle.ts';
import { freshRunNames, type RunNames } from '../pipeline/run-names.ts';
import type { Provider } from '../provider/interface.ts';
import type { Comparison, Verdict } from '../record/anomalies.ts';
import { HistoryWriter, readHistory } from '../record/history-file.ts';
import { readJsonl } from '../record/jsonl.ts';
import type { RunReport } from '../record/report.ts';
import { copyLogSlices, createRunDir, markLogs, runIdFor, Timeline } from '../record/run-dir.ts';
import type { Sample } from '../record/samples.ts';
import type { RunPhase } from '../record/timeline.ts';
import { writeReportFiles } from '../report/write.ts';
import type { Endpoints } from '../stack/endpoints.ts';
import { withPg } from '../stack/pg.ts';
import { waitFor } from '../stack/wait.ts';
import { ConfigError, errorMessage } from '../util/errors.ts';
import { info, warn } from '../util/log.ts';
import { runWorkload, type WorkloadSummary } from '../workload/driver.ts';
import { workloadHash } from '../workload/generate.ts';
import type { WorkloadProfile } from '../workload/profile.ts';
import { buildReport } from './build-report.ts';
import { startOperator } from './operator.ts';
import { fmtMs, ProgressLine } from './progress.ts';
import { describeSchedule, describeStep, generateSchedule, pinnedScenario } from './random-chaos.ts';
import type { FaultStep, Scenario } from './schema.ts';
import { snapshotter } from './snapshot.ts';

export interface RunOptions {
  scenario: Scenario;
  provider: Provider;
  /**
   * On an environment the harness does not own: treat it as the harness's own anyway (reset wipes every
   * connector, slot and publication; definitions may use fixed object names).
   */
  allowDestructive?: boolean;
  /** Leave the run's own objects (connectors, slot, publication, table, index, topics) on a shared environment. */
  keepObjects?: boolean;
  connectorsDir?: string;
  seed?: number;
  durationMs?: number;
  ratePerSec?: number;
  /** The command that replays this run, printed and stored in the report. */
  replay: string;
  signal?: AbortSignal;
  /**
   * An explicit fault schedule instead of the scenario's faults or its seeded random schedule (shrinking
   * re-runs a random-chaos scenario with smaller schedules). The run then writes scenario.yaml with it.
   */
  faults?: FaultStep[];
  /** Runs after the heal phase, before the check (tests use it to tamper with a store on purpose). */
  beforeCheck?: (ctx: { endpoints: Endpoints; names: RunNames; table: string }) => Promise<void>;
}

export interface RunResult {
  report: RunReport;
  runDir: string;
  /** The fault schedule the run used (for random-chaos: the one generated from the seed). */
  schedule: FaultStep[];
}

async function preload(ep: Endpoints, table: string, rows: number): Promise<void> {
  if (rows <= 0) return;
  await withPg(ep, ep.pg.database, (c) =>
    c.query(`INSERT INTO "${table}" (name, description, price) SELECT 'preloaded ' || g, 'row ' || g || ' before the connector existed', (g % 1000) + 0.99 FROM generate_series(1, $1) g`, [rows]),
  );
}

async function connectorStates(connect: ConnectClient, names: string[]): Promise<RunReport['connectors']> {
  const out: RunReport['connectors'] = [];
  for (const name of names) {
    const st = await connect.status(name).catch(() => undefined);
    out.push({
      name,
      state: st?.connector.state ?? 'MISSING',
      tasks: (st?.tasks ?? []).map((t) => ({ id: t.id, state: t.state, ...(t.trace ? { trace: t.trace.split('\n').slice(0, 200).join('\n') } : {}) })),
    });
  }
  return out;
}

/**
 * The operations a profile plans to send. The driver may send a few more or fewer (timing), so the run's
 * identity is the hash of this planned prefix of the seeded stream, which never depends on timing.
 */
export function plannedOps(p: WorkloadProfile): number {
  const byRate = p.ratePerSec > 0 ? Math.ceil((p.ratePerSec * p.durationMs) / 1000) : 10_000;
  return p.maxOps > 0 ? Math.min(p.maxOps, byRate) : byRate;
}

/**
 * The one place that knows the order of phases:
 * up → register → warm-up → workload ∥ faults ∥ observers → heal → quiesce → check → report.
 */
export async function runScenario(o: RunOptions): Promise<RunResult> {
  const { scenario, provider } = o;
  const ep = provider.endpoints;
  const seed = o.seed ?? scenario.seed;
  const profile = { ...scenario.workload, ...(o.durationMs ? { durationMs: o.durationMs } : {}), ...(o.ratePerSec !== undefined ? { ratePerSec: o.ratePerSec } : {}) };
  // random-chaos: the schedule comes from the seed (same seed, same schedule); an explicit one (shrinking)
  // wins over both.
  const schedule = o.faults ?? (scenario.randomFaults ? generateSchedule(seed, scenario.randomFaults, profile.durationMs) : scenario.faults);
  // Faults are built (and validated), and checked against what the provider can do, before anything changes.
  const entries: NemesisEntry[] = schedule.map((f, i) => ({
    at: f.atMs,
    duration: f.durationMs,
    fault: makeFault({ kind: f.kind, target: f.target, params: f.params }, `${f.kind}#${i + 1}`, `faults[${i}]`),
  }));
  const missing = missingCapabilities(entries.map((e) => e.fault), provider);
  if (missing.length) throw new ScenarioSkipped(scenario.name, missing);
  const scoped = !provider.exclusive && !o.allowDestructive;
  const { def, names } = definitionFor(o.connectorsDir, ep, scoped);

  const startedAt = Date.now();
  const runId = runIdFor(scenario.name, seed);
  const runDir = createRunDir(runId);
  const timeline = new Timeline(join(runDir, 'timeline.jsonl'));
  const phase = (name: RunPhase): void => timeline.record({ t: Date.now(), kind: 'phase', name });
  const logMarks = provider.logsDir ? markLogs(provider.logsDir) : new Map<string, number>();
  const progress = new ProgressLine();
  const connect = new ConnectClient(ep.connectUrl);
  const connectors = { source: def.source.name, sink: def.sink.name };
  const notes: string[] = [];
  const hash = workloadHash(seed, profile, plannedOps(profile));
  info(`▸ run ${scenario.name} (seed ${seed}, workload ${hash}) on ${provider.label} → ${runDir}`);
  if (scoped) info(`  objects of this run: connectors ${connectors.source}, ${connectors.sink}; table ${names.table}; publication ${names.publication}; slot ${names.slot}; index ${names.index}; topics ${names.topicPrefix}.*`);
  // A generated or explicit schedule is printed, noted in the timeline, carried by the replay line, and
  // pinned in the run directory as scenario.yaml, which replays this exact schedule.
  let replay = o.replay;
  if (o.faults || scenario.randomFaults) {
    const pinned = join(runDir, 'scenario.yaml');
    const origin = o.faults ? 'explicit fault schedule (shrunk)' : `fault schedule generated from seed ${seed}`;
    writeFileSync(pinned, `# ${scenario.name}, pinned: ${origin}\n${toYaml(pinnedScenario(scenario, profile, seed, schedule, origin))}`);
    if (o.faults) replay = `npx outbox-chaos run ${relative(process.cwd(), pinned) || pinned}${o.connectorsDir ? ` --connectors ${o.connectorsDir}` : ''}`;
    replay = `${replay}   # faults: ${describeSchedule(schedule)}`;
    timeline.record({ t: Date.now(), kind: 'note', message: `${origin}: ${describeSchedule(schedule)}` });
    info(`  ${origin}:`);
    for (const s of schedule) info(`    ${describeStep(s)}`);
  }
  info(`  replay: ${replay}`);

  const scope = { everything: !scoped, connectors: [connectors.source, connectors.sink] };
  try {
    phase('register');
    await resetPipeline(ep, names, scope);
    await prepareStores(ep, def, names);
    await preload(ep, def.table, scenario.preload);
    if (!scenario.registerDuringWorkload) await registerConnector(ep, def.source);
    await registerConnector(ep, def.sink);

    const samplesPath = join(runDir, 'samples.jsonl');
    const observers = startObservers({ endpoints: ep, names, sourceConnector: connectors.source, sinkConnector: connectors.sink, samplesPath, log: (l) => info(`  ${l}`) });
    const operator = startOperator({ rules: scenario.operator, connect, connectors, record: timeline.record });
    let summary: WorkloadSummary | undefined;
    let verdict: Verdict = 'diverged';
    let timeToConvergenceMs: number | null = null;
    let comparison: Comparison | undefined;
    try {
      if (!scenario.registerDuringWorkload) {
        phase('warm-up');
        // The probe's first marker must come through before the clock starts: the pipeline is flowing.
        await waitFor('the lag probe to see its first marker in Elasticsearch', async () => observers.latest().probeVisibleSeq > 0, { timeoutMs: 60_000, intervalMs: 200 }).catch((err: unknown) => notes.push(`warm-up: ${errorMessage(err)}`));
      }

      phase('workload');
      const history = await HistoryWriter.open(join(runDir, 'history.jsonl'), {
        onEntry: (e) => {
          observers.countOp();
          if (e.outcome === 'ok') observers.trackOp(e);
        },
      });
      const faultCtx: FaultContext = { endpoints: ep, services: provider.services, sharedToxiproxy: !provider.exclusive, connect, names, connectors, record: timeline.record };
      const nemesis = createNemesis(entries, faultCtx);
      const t0 = Date.now();
      const ticker = setInterval(() => {
        const l = observers.latest();
        const left = Math.max(0, profile.durationMs - (Date.now() - t0));
        const open = nemesis.windows().filter((w) => w.end === undefined).map((w) => w.fault);
        progress.update(`  workload  ${history.count ?? ''} ops  lag ${fmtMs(l.probeLagMs)}  consumer lag ${l.consumerLag ?? '–'}  slot ${l.slotLagBytes ?? '–'} B${open.length ? `  faults: ${open.join(', ')}` : ''}  ${Math.ceil(left / 1000)} s left`);
      }, 500);
      const lateSource = scenario.registerDuringWorkload
        ? (async () => {
            await new Promise((r) => setTimeout(r, Math.min(2000, profile.durationMs / 4)));
            await registerConnector(ep, def.source);
            timeline.record({ t: Date.now(), kind: 'note', message: `registered ${def.source.name} during the workload (snapshot under load)` });
          })()
        : Promise.resolve();
      try {
        const [s] = await Promise.all([runWorkload({ pgUrl: ep.pgUrl, table: def.table, seed, profile, history, signal: o.signal }), nemesis.run({ t0, signal: o.signal }), lateSource]);
        summary = s;
      } finally {
        clearInterval(ticker);
        progress.done();
        await history.close();
      }
      info(`  workload done: ${summary.opsRecorded} ops (${summary.byOutcome.ok} ok, ${summary.byOutcome.failed} failed, ${summary.byOutcome.unknown} unknown), ${summary.opsPerSec.toFixed(0)} ops/s`);

      phase('heal');
      const healed = await nemesis.healAll();
      for (const w of healed.filter((x) => x.error)) notes.push(`fault ${w.id}: ${w.error}`);
      const healedAt = Date.now();

      phase('quiesce');
      await o.beforeCheck?.({ endpoints: ep, names, table: def.table });
      const versions = await buildVersionsAsync(readHistory(join(runDir, 'history.jsonl')));
      phase('check');
      const budgetMs = scenario.budget.convergenceMs;
      const result = await awaitConvergence({
        snapshot: snapshotter(ep, def.table, names.index, versions),
        startMs: healedAt,
        budgetMs,
        deadlineMs: Math.max(budgetMs * 2, budgetMs + 10_000),
        pollMs: 500,
        onPoll: (c, elapsed) => progress.update(`  check  ${c.equal ? 'equal' : `${c.pgRows} rows vs ${c.esDocs} docs, differing: ${Object.entries(c.counts).filter(([, n]) => n).map(([k, n]) => `${n} ${k}`).join(', ')}`}  ${fmtMs(elapsed)} since heal`),
      });
      progress.done();
      verdict = result.verdict;
      timeToConvergenceMs = result.timeToConvergenceMs;
      comparison = result.last;
      if (result.lastError) notes.push(`a snapshot failed during the check: ${result.lastError}`);
    } finally {
      operator.stop();
      await observers.stop();
    }
    phase('report');
    const finishedAt = Date.now();
    const samples = await readJsonl<Sample>(samplesPath);
    await copyLogSlices(logMarks, runDir);
    const report = buildReport({
      runId,
      scenario,
      seed,
      replay,
      provider: provider.kind,
      connectorsDir: def.dir,
      startedAt,
      finishedAt,
      verdict,
      timeToConvergenceMs,
      comparison,
      workload: summary,
      workloadHash: hash,
      samples,
      timeline: timeline.events,
      connectors: await connectorStates(connect, [connectors.source, connectors.sink]),
      connectorNames: connectors,
      versions: provider.versions,
      notes,
    });
    await writeReportFiles(runDir, report, samples);
    phase('done');
    return { report, runDir, schedule };
  } finally {
    // On a shared environment the run takes away what it made (unless asked to keep it for a post-mortem).
    if (scoped && !o.keepObjects) await removeRunObjects(ep, names, scope).catch((err: unknown) => warn(`  could not remove all of this run's objects: ${errorMessage(err)}`));
  }
}

/** The run's connectors, slot, publication, table, index and topics, and nothing else. */
async function removeRunObjects(ep: Endpoints, names: RunNames, scope: { everything: boolean; connectors: string[] }): Promise<void> {
  await resetPipeline(ep, names, scope);
  const topics = await dropRunTopics(ep, names);
  info(`  removed this run's objects (${scope.connectors.length} connectors, slot, publication, table, index, ${topics.length} topics)`);
}

/**
 * The definition with this run's names filled in. On an environment we own, the definition's own table
 * name is used as it is (a user's definition may hard-code one). On a shared one every object must carry the
 * run's tag, and a definition that names fixed objects is refused: running it would drop and re-create them.
 */
function definitionFor(dir: string | undefined, ep: Endpoints, scoped: boolean): { def: PipelineDefinition; names: RunNames } {
  const names = freshRunNames(scoped);
  const def = loadDefinition(dir, pipelineVars(ep, names));
  if (!scoped) return { def, names: { ...names, table: def.table } };
  const problems = unscopedObjects(def, names);
  if (problems.length) {
    throw new ConfigError(
      `the pipeline definition in ${def.dir} names objects this run would not own, on an environment the harness does not own:\n  ${problems.join('\n  ')}`,
      'use the placeholders ${TABLE}, ${PUBLICATION} and ${INDEX} as connectors/ does, or pass --allow-destructive to treat the environment as the harness\'s own',
    );
  }
  const prefixed = (c: PipelineDefinition['source']) => ({ ...c, name: `${names.connectorPrefix}${c.name}` });
  return { def: { ...def, source: prefixed(def.source), sink: prefixed(def.sink) }, names };
}
