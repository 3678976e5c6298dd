import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_CONNECTORS_DIR, loadDefinition, pipelineVars, PLACEHOLDERS } from '../pipeline/definition.ts';
import { resetPipeline, setupPipeline } from '../pipeline/lifecycle.ts';
import { defaultRunNames } from '../pipeline/run-names.ts';
import { localProvider } from '../provider/local.ts';
import { obtainStack } from '../provider/open.ts';
import { PROJECT_ROOT } from '../provision/paths.ts';
import { ANOMALY_CLASSES, type AnomalyClass } from '../record/anomalies.ts';
import type { RunReport } from '../record/report.ts';
import { fmtDuration } from '../report/format.ts';
import { mdTable } from '../report/md-table.ts';
import { listZoo, loadScenario } from '../scenario/load.ts';
import { runScenario } from '../scenario/runner.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { Stack } from '../stack/stack.ts';
import { ConfigError, errorMessage } from '../util/errors.ts';
import { info, warn } from '../util/log.ts';
import { onInterrupt } from '../util/signals.ts';
import { intOpt, parse, STACK_OPTIONS } from './args.ts';

export const ZOO_HELP = `outbox-chaos zoo [--only a,b] [--control] [--json FILE] [--keep] [--name NAME] [--port-base N]

The bug zoo: proves the harness's checks can fail. Each entry in scenarios/zoo/<name>/ is a pipeline
definition that differs from the healthy one (connectors/) in one deliberate way, plus a scenario.yaml
that says what the harness must see: a verdict (diverged) and the anomaly classes the bug causes. Runs
every entry on one stack, one after another, and prints expected vs observed for each (verdict, anomaly
classes with counts, example product_ids), then a summary table.

An entry may carry a zoo.yaml with expectations beyond the scenario's:
  failedTask: sink|source   that connector's task must end FAILED, with a trace in the report
  mustPass: false           a reproduction attempt: reported, but never fails the zoo

Uses the stack that \`up --detach\` left running (and registers the healthy pipeline again at the end);
otherwise starts one and stops it at the end (--keep leaves it up).

  --only a,b        run only these entries (names of scenarios/zoo/ directories)
  --control         the control experiment: run each entry's scenario (same workload, faults, seed)
                    against the healthy pipeline (connectors/) instead; each must converge, which shows
                    that the entry's divergence comes from its misconfiguration, not from the scenario
  --json FILE       also write the outcomes as JSON
  --keep            leave a stack this command started running

Exit codes: 0 every entry caught as expected, 1 an entry was not caught (the harness missed a bug, or the
entry no longer reproduces it), 2 bad usage or entry, 3 environment failure.`;

/** Expectations of a zoo entry beyond the scenario's verdict and classes (scenarios/zoo/<name>/zoo.yaml). */
export interface ZooExtra {
  /** This connector's task must end FAILED, with its trace in report.connectors. */
  failedTask?: 'source' | 'sink';
  /** false: a reproduction attempt, reported but never failing the zoo. */
  mustPass: boolean;
}

export interface ZooEntry {
  name: string;
  /** The pipeline definition directory (only the changed files; the rest default to connectors/). */
  dir: string;
  scenario: Scenario;
  extra: ZooExtra;
  /** Connector names of the definition, to find them in report.connectors. */
  connectors: { source: string; sink: string };
  /** Files of the definition that differ from connectors/ (the deliberate change). */
  changed: string[];
  /** What differs from connectors/, key by key for connector configs ("sink key.ignore=true"). */
  diff: string[];
}

export interface ZooOutcome {
  entry: ZooEntry;
  /** A control run: the entry's scenario against the healthy pipeline, which must converge. */
  control: boolean;
  report: RunReport;
  runDir: string;
  wallMs: number;
  /** Verdict as expected, every expected class seen, and the zoo.yaml expectations met. */
  caught: boolean;
  reasons: string[];
}

const DEFINITION_FILES = ['register-postgres.json', 'register-elasticsearch.json', 'schema.sql', 'es-index.json'];

function connectorName(dir: string, file: string): string {
  const own = join(dir, file);
  const body = JSON.parse(readFileSync(existsSync(own) ? own : join(DEFAULT_CONNECTORS_DIR, file), 'utf8')) as { name?: unknown };
  return typeof body.name === 'string' ? body.name : file;
}

function configOf(file: string): Record<string, string> {
  const body = JSON.parse(readFileSync(file, 'utf8')) as { config?: Record<string, unknown> };
  return Object.fromEntries(Object.entries(body.config ?? {}).map(([k, v]) => [k, String(v)]));
}

/**
 * How a definition differs from the healthy one: each connector config key added, changed or removed, and
 * whole files otherwise. A zoo entry should differ in one deliberate way; this makes drift visible when
 * connectors/ changes and an entry's copy does not.
 */
export function definitionDiff(dir: string): string[] {
  const out: string[] = [];
  for (const [file, role] of [['register-postgres.json', 'source'], ['register-elasticsearch.json', 'sink']] as const) {
    const own = join(dir, file);
    if (!existsSync(own)) continue;
    const a = configOf(join(DEFAULT_CONNECTORS_DIR, file));
    const b = configOf(own);
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (a[k] === b[k]) continue;
      out.push(b[k] === undefined ? `${role} ${k} removed (was ${a[k]})` : `${role} ${k}=${b[k]}`);
    }
  }
  for (const file of ['schema.sql', 'es-index.json']) {
    if (existsSync(join(dir, file)) && readFileSync(join(dir, file), 'utf8') !== readFileSync(join(DEFAULT_CONNECTORS_DIR, file), 'utf8')) out.push(`own ${file}`);
  }
  return out;
}

function readExtra(dir: string): ZooExtra {
  const file = join(dir, 'zoo.yaml');
  if (!existsSync(file)) return { mustPass: true };
  const raw = parseYaml(readFileSync(file, 'utf8')) as unknown;
  const o = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  const problems: string[] = [];
  for (const k of Object.keys(o)) if (!['failedTask', 'mustPass'].includes(k)) problems.push(`${k}: unknown field (known: failedTask, mustPass)`);
  if (o.failedTask !== undefined && o.failedTask !== 'sink' && o.failedTask !== 'source') problems.push('failedTask: must be sink or source');
  if (o.mustPass !== undefined && typeof o.mustPass !== 'boolean') problems.push('mustPass: must be true or false');
  if (problems.length) throw new ConfigError(`invalid ${file}:\n  ${problems.join('\n  ')}`, 'see `outbox-chaos zoo --help`');
  return { failedTask: o.failedTask as ZooExtra['failedTask'], mustPass: o.mustPass !== false };
}

/** The zoo's entries (all, or those named), loaded and validated before anything touches a stack. */
export function loadZooEntries(only?: string[]): ZooEntry[] {
  const all = listZoo();
  if (only?.length) {
    const unknown = only.filter((n) => !all.some((e) => e.name === n));
    if (unknown.length) throw new ConfigError(`no zoo entry named ${unknown.map((n) => `"${n}"`).join(', ')}`, `known: ${all.map((e) => e.name).join(', ')}`);
  }
  return all
    .filter((e) => !only?.length || only.includes(e.name))
    .map((e) => {
      const scenario = loadScenario(e.file);
      if (scenario.expect.verdict === 'converged') {
        throw new ConfigError(`${e.file}: a zoo entry must expect a failure (expect.verdict diverged or converged-late)`, 'a zoo entry is a known-bad pipeline');
      }
      // A definition must load (valid JSON, known placeholders) before the run; dummy values are enough.
      const vars = Object.fromEntries(PLACEHOLDERS.map((k) => [k, 'x']));
      loadDefinition(e.dir, vars);
      const changed = DEFINITION_FILES.filter((f) => existsSync(join(e.dir, f)));
      if (changed.length === 0) throw new ConfigError(`${e.dir} holds no definition file`, `add the changed one of ${DEFINITION_FILES.join(', ')}`);
      return {
        name: e.name,
        dir: e.dir,
        scenario,
        extra: readExtra(e.dir),
        connectors: { source: connectorName(e.dir, 'register-postgres.json'), sink: connectorName(e.dir, 'register-elasticsearch.json') },
        changed,
        diff: definitionDiff(e.dir),
      };
    });
}

/** Whether the harness caught the entry's bug as the entry says it must. */
export function judgeZoo(entry: ZooEntry, report: RunReport): { caught: boolean; reasons: string[] } {
  const reasons: string[] = [];
  if (report.verdict !== entry.scenario.expect.verdict) reasons.push(`verdict ${report.verdict}, expected ${entry.scenario.expect.verdict}`);
  for (const c of entry.scenario.expect.anomalies) {
    if ((report.anomalies.counts[c] ?? 0) === 0) reasons.push(`expected ${c} anomalies, saw none`);
  }
  if (!report.passed && reasons.length === 0) reasons.push(...report.notes.filter((n) => n.startsWith('✘')).map((n) => n.replace(/^✘\s*/, '')));
  if (entry.extra.failedTask) {
    const name = entry.connectors[entry.extra.failedTask];
    const c = report.connectors.find((x) => x.name === name);
    const failed = c?.tasks.find((t) => t.state === 'FAILED');
    if (!c) reasons.push(`connector ${name} is not in report.connectors`);
    else if (!failed) reasons.push(`expected a FAILED task of ${name}, report.connectors shows ${c.state} / ${c.tasks.map((t) => `${t.id}: ${t.state}`).join(', ') || 'no tasks'}`);
    else if (!failed.trace?.trim()) reasons.push(`task ${failed.id} of ${name} is FAILED but report.connectors has no trace for it`);
  }
  return { caught: reasons.length === 0, reasons };
}

/** A control run passes when the healthy pipeline converges within the budget under the same scenario. */
export function judgeControl(report: RunReport): { caught: boolean; reasons: string[] } {
  const reasons: string[] = [];
  if (report.verdict !== 'converged') reasons.push(`the healthy pipeline ${report.verdict} under this scenario (${classesOf(report.anomalies.counts)}); the entry's result may not be due to its misconfiguration`);
  return { caught: reasons.length === 0, reasons };
}

/**
 * Runs one entry on the stack: its scenario against its definition directory, or, for a control run,
 * against the healthy pipeline.
 */
export async function runZooEntry(entry: ZooEntry, stack: Stack, opts: { signal?: AbortSignal; control?: boolean } = {}): Promise<ZooOutcome> {
  const t0 = Date.now();
  const control = opts.control === true;
  const rel = relative(PROJECT_ROOT, entry.dir);
  const { report, runDir } = await runScenario({
    scenario: entry.scenario,
    provider: localProvider(stack),
    connectorsDir: control ? undefined : entry.dir,
    replay: `npx outbox-chaos run ${entry.name} --seed ${entry.scenario.seed}${control ? '' : ` --connectors ${rel}`}`,
    signal: opts.signal,
  });
  const { caught, reasons } = control ? judgeControl(report) : judgeZoo(entry, report);
  return { entry, control, report, runDir, wallMs: Date.now() - t0, caught, reasons };
}

/** "converged in 1.2 s [none]" / "diverged [zombie 171]". */
function observed(r: RunReport): string {
  const t = r.verdict !== 'diverged' && r.timeToConvergenceMs !== null ? ` in ${fmtDuration(r.timeToConvergenceMs)}` : '';
  return `${r.verdict}${t} [${classesOf(r.anomalies.counts)}]`;
}

function classesOf(counts: Record<AnomalyClass, number>): string {
  const seen = ANOMALY_CLASSES.filter((c) => (counts[c] ?? 0) > 0);
  return seen.length ? seen.map((c) => `${c} ${counts[c]}`).join(', ') : 'none';
}

/** Example product_ids of the expected classes (of whatever was seen, when none of those was). */
function examplesOf(report: RunReport, classes: readonly AnomalyClass[]): string {
  const has = (c: AnomalyClass): boolean => (report.anomalies.examples[c]?.length ?? 0) > 0;
  const expectedSeen = classes.filter(has);
  const pick = expectedSeen.length ? expectedSeen : ANOMALY_CLASSES.filter(has);
  return pick
    .map((c) => `${c}: ${report.anomalies.examples[c].slice(0, 3).map((a) => a.product_id).join(', ')}`)
    .join('; ');
}

function expected(e: ZooEntry, control = false): string {
  if (control) return 'converged (healthy pipeline, control)';
  const x = e.scenario.expect;
  return `${x.verdict} [${x.anomalies.join(', ') || 'any'}]${e.extra.failedTask ? ` + ${e.extra.failedTask} task FAILED` : ''}`;
}

/**
 * The failed task (if any) as "sink task 0 FAILED: <root cause>": the last "Caused by:" of the trace says
 * why (Connect's own first line is always "Exiting WorkerSinkTask due to unrecoverable exception").
 */
function failedTaskLine(o: ZooOutcome): string | undefined {
  for (const role of ['source', 'sink'] as const) {
    const c = o.report.connectors.find((x) => x.name === o.entry.connectors[role]);
    const t = c?.tasks.find((x) => x.state === 'FAILED');
    if (!t) continue;
    const lines = (t.trace ?? '(no trace)').split('\n');
    const cause = lines.filter((l) => l.startsWith('Caused by: ')).pop()?.slice('Caused by: '.length) ?? lines[0] ?? '';
    return `${role} task ${t.id} FAILED: ${cause.slice(0, 240)}`;
  }
  return undefined;
}

/** Expected vs observed for one entry, a few lines for the terminal. */
export function describeOutcome(o: ZooOutcome): string {
  const lines = [
    `${resultText(o, true)}  ${o.entry.name}${o.control ? ' (control: healthy pipeline)' : ''}  (${fmtDuration(o.wallMs)})`,
    `    change    ${o.control ? 'none (control: connectors/)' : o.entry.diff.join(', ')}`,
    `    expected  ${expected(o.entry, o.control)}`,
    `    observed  ${observed(o.report)}  (${o.report.final.pgRows} rows, ${o.report.final.esDocs} docs)`,
  ];
  const ex = examplesOf(o.report, o.entry.scenario.expect.anomalies);
  if (ex) lines.push(`    examples  ${ex}`);
  const ft = failedTaskLine(o);
  if (ft) lines.push(`    task      ${ft}`);
  for (const r of o.reasons) lines.push(`    ✘ ${r}`);
  lines.push(`    report    ${relative(process.cwd(), join(o.runDir, 'index.html'))}`);
  return lines.join('\n');
}

function resultText(o: ZooOutcome, mark = false): string {
  const m = (s: string, t: string): string => (mark ? `${s} ${t}` : t);
  if (o.control) return o.caught ? m('✔', 'converged') : m('✘', 'CONTROL FAILED');
  if (o.caught) return m('✔', 'caught');
  return o.entry.extra.mustPass ? m('✘', 'NOT CAUGHT') : m('⚠', 'not reproduced (attempt, not in the must-pass set)');
}

export function summaryTable(outcomes: ZooOutcome[]): string {
  const rows = outcomes.map((o) => [
    o.entry.name,
    expected(o.entry, o.control),
    observed(o.report),
    examplesOf(o.report, o.control ? [] : o.entry.scenario.expect.anomalies) || '—',
    fmtDuration(o.wallMs),
    resultText(o),
  ]);
  return mdTable(['entry', 'expected', 'observed', 'examples (product_id)', 'wall time', 'result'], rows, [4]);
}

/** Puts the healthy pipeline back on a stack the zoo borrowed, as `up` left it. */
async function restoreHealthy(stack: Stack): Promise<void> {
  const names = defaultRunNames();
  const def = loadDefinition(undefined, pipelineVars(stack.endpoints, names));
  await resetPipeline(stack.endpoints, { ...names, table: def.table }, { everything: true, connectors: [] });
  await setupPipeline(stack.endpoints, def, names);
}

export async function zooCommand(argv: string[]): Promise<number> {
  const { values } = parse('zoo', argv, { ...STACK_OPTIONS, only: { type: 'string' }, control: { type: 'boolean' }, json: { type: 'string' }, keep: { type: 'boolean' } });
  if (values.help) {
    console.log(ZOO_HELP);
    return 0;
  }
  const only = typeof values.only === 'string' ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
  const entries = loadZooEntries(only);
  const control = values.control === true;
  if (entries.length === 0) throw new ConfigError('the zoo is empty', 'add scenarios/zoo/<name>/ with a scenario.yaml and the changed definition file');

  const { stack, owned } = await obtainStack({ name: values.name as string | undefined, portBase: intOpt(values['port-base'], '--port-base') });
  const abort = new AbortController();
  const off = onInterrupt(async () => {
    abort.abort();
    if (owned && !values.keep) await stack.stop();
  });
  const outcomes: ZooOutcome[] = [];
  try {
    for (const [i, entry] of entries.entries()) {
      info(`\n━━ zoo ${i + 1}/${entries.length}: ${entry.name} — ${control ? 'control run on the healthy pipeline (connectors/)' : `${entry.diff.join(', ')} (${relative(PROJECT_ROOT, entry.dir)})`}`);
      const o = await runZooEntry(entry, stack, { signal: abort.signal, control });
      outcomes.push(o);
      console.log(describeOutcome(o));
      if (abort.signal.aborted) break;
    }
    if (!owned && !abort.signal.aborted) {
      info('\nregistering the healthy pipeline (connectors/) again on the borrowed stack');
      await restoreHealthy(stack).catch((err: unknown) => warn(`could not restore the healthy pipeline: ${errorMessage(err)}`));
    }
  } finally {
    off();
    if (owned && !values.keep) await stack.stop();
  }

  console.log(`\n${summaryTable(outcomes)}\n`);
  const missed = outcomes.filter((o) => !o.caught && (o.control || o.entry.extra.mustPass));
  const attempts = outcomes.filter((o) => !o.caught && !o.control && !o.entry.extra.mustPass);
  if (typeof values.json === 'string') {
    const json = outcomes.map((o) => ({
      entry: o.entry.name,
      control: o.control,
      dir: relative(PROJECT_ROOT, o.entry.dir),
      changed: o.entry.changed,
      diff: o.entry.diff,
      mustPass: o.entry.extra.mustPass,
      expected: o.control ? { verdict: 'converged' } : { verdict: o.entry.scenario.expect.verdict, anomalies: o.entry.scenario.expect.anomalies, failedTask: o.entry.extra.failedTask ?? null },
      observed: { verdict: o.report.verdict, counts: o.report.anomalies.counts, connectors: o.report.connectors.map((c) => ({ name: c.name, state: c.state, tasks: c.tasks.map((t) => `${t.id}: ${t.state}`) })) },
      examples: Object.fromEntries(ANOMALY_CLASSES.map((c) => [c, o.report.anomalies.examples[c].slice(0, 5).map((a) => a.product_id)])),
      caught: o.caught,
      reasons: o.reasons,
      wallMs: o.wallMs,
      runDir: relative(PROJECT_ROOT, o.runDir),
    }));
    writeFileSync(values.json, `${JSON.stringify(json, null, 2)}\n`);
    info(`wrote ${values.json}`);
  }
  const caught = outcomes.filter((o) => o.caught).length;
  console.log(`zoo${control ? ' (control runs)' : ''}: ${caught} of ${outcomes.length} ${control ? 'converged on the healthy pipeline' : 'caught'}${missed.length ? `; ${control ? 'did not converge' : 'NOT caught'}: ${missed.map((o) => o.entry.name).join(', ')}` : ''}${attempts.length ? `; not reproduced (attempts): ${attempts.map((o) => o.entry.name).join(', ')}` : ''}`);
  if (abort.signal.aborted) return 130;
  return missed.length === 0 && outcomes.length === entries.length ? 0 : 1;
}
