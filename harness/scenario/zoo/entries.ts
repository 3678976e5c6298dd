import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { loadDefinition, PLACEHOLDERS } from '../../pipeline/definition.ts';
import { readPipelineSpec } from '../../pipeline/kind.ts';
import type { RunReport } from '../../record/report.ts';
import { ConfigError } from '../../util/errors.ts';
import { listZoo, loadScenario } from '../load.ts';
import { baseFile, diffBase, pipelineDiff } from './base.ts';
import type { Scenario } from '../schema.ts';

/** Expectations of a zoo entry beyond the scenario's verdict and classes (scenarios/zoo/<name>/zoo.yaml). */
export interface ZooExtra {
  /** This connector's task must end FAILED, with its trace in report.connectors. */
  failedTask?: 'source' | 'sink';
  /** false: a reproduction attempt, reported but never failing the zoo. */
  mustPass: boolean;
  /**
   * A pattern that the detail of at least one example of an expected class must match (the bug named, not just
   * seen).
   */
  exampleDetail?: string;
  /**
   * The healthy pipeline stops loudly under this scenario instead of converging: its control run must end
   * diverged with this connector's task FAILED (the entry's bug is the silent version of that stop).
   */
  controlFailedTask?: 'source' | 'sink';
}

export interface ZooEntry {
  name: string;
  /** The pipeline definition directory (only the changed files; the rest default to connectors/). */
  dir: string;
  scenario: Scenario;
  extra: ZooExtra;
  /** Connector names of the definition, to find them in report.connectors. */
  connectors: { source: string; sink: string };
  /** The healthy definition it departs from (connectors/, or connectors/outbox/ for an outbox entry; see base.ts). */
  base: string;
  /** Files of the definition that differ from the base (the deliberate change). */
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

const DEFINITION_FILES = [
  'pipeline.yaml',
  'register-postgres.json',
  'register-elasticsearch.json',
  'schema.sql',
  'es-index.json',
];

function connectorName(dir: string, file: string): string {
  const own = join(dir, file);
  const body = JSON.parse(readFileSync(existsSync(own) ? own : baseFile(diffBase(dir), file), 'utf8')) as {
    name?: unknown;
  };
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
  const base = diffBase(dir);
  const out: string[] = pipelineDiff(dir, base);
  for (const [file, role] of [
    ['register-postgres.json', 'source'],
    ['register-elasticsearch.json', 'sink'],
  ] as const) {
    const own = join(dir, file);
    if (!existsSync(own)) continue;
    const a = configOf(baseFile(base, file));
    const b = configOf(own);
    const dlq: string[] = [];
    const created: string[] = [];
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (a[k] === b[k]) continue;
      const change = b[k] === undefined ? `${role} ${k} removed (was ${a[k]})` : `${role} ${k}=${b[k]}`;
      // A dead-letter queue is one change, however many errors.* keys it takes (tolerance, topic, replication);
      // so are the settings of the topics a source creates (topic.creation.default.*).
      if (k.startsWith('errors.')) dlq.push(change.slice(role.length + 1));
      else if (k.startsWith('topic.creation.')) created.push(change.slice(role.length + 1));
      else out.push(change);
    }
    if (dlq.length) out.push(`${role} ${dlq.join(', ')}`);
    if (created.length) out.push(`${role} ${created.join(', ')}`);
  }
  for (const file of ['schema.sql', 'es-index.json']) {
    if (
      existsSync(join(dir, file)) &&
      readFileSync(join(dir, file), 'utf8') !== readFileSync(baseFile(base, file), 'utf8')
    )
      out.push(`own ${file}`);
  }
  for (const t of readPipelineSpec(base).tables ?? []) {
    if (t.mapping !== undefined && existsSync(join(dir, t.mapping)))
      out.push(...mappingDiff(t.index, join(base, t.mapping), join(dir, t.mapping)));
  }
  return out;
}

/** A table's own mapping against the base's: each top-level field whose mapping differs, else the whole file. */
function mappingDiff(index: string, healthy: string, ownFile: string): string[] {
  const props = (file: string): Record<string, unknown> => {
    const body = JSON.parse(readFileSync(file, 'utf8')) as { mappings?: { properties?: Record<string, unknown> } };
    return body.mappings?.properties ?? {};
  };
  const [a, b] = [props(healthy), props(ownFile)];
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(
    (k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]),
  );
  if (fields.length) return fields.map((k) => `index ${index} ${k}: ${JSON.stringify(b[k]) ?? 'removed'}`);
  return readFileSync(healthy, 'utf8') === readFileSync(ownFile, 'utf8') ? [] : [`own ${basename(ownFile)}`];
}

function readExtra(dir: string): ZooExtra {
  const file = join(dir, 'zoo.yaml');
  if (!existsSync(file)) return { mustPass: true };
  const raw = parseYaml(readFileSync(file, 'utf8')) as unknown;
  const o = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  const problems: string[] = [];
  for (const k of Object.keys(o))
    if (!['failedTask', 'mustPass', 'exampleDetail', 'controlFailedTask'].includes(k))
      problems.push(`${k}: unknown field (known: failedTask, mustPass, exampleDetail, controlFailedTask)`);
  if (o.exampleDetail !== undefined) {
    try {
      new RegExp(String(o.exampleDetail));
    } catch (err) {
      problems.push(`exampleDetail: not a regular expression (${(err as Error).message})`);
    }
  }
  if (o.failedTask !== undefined && o.failedTask !== 'sink' && o.failedTask !== 'source')
    problems.push('failedTask: must be sink or source');
  if (o.controlFailedTask !== undefined && o.controlFailedTask !== 'sink' && o.controlFailedTask !== 'source')
    problems.push('controlFailedTask: must be sink or source');
  if (o.mustPass !== undefined && typeof o.mustPass !== 'boolean') problems.push('mustPass: must be true or false');
  if (problems.length)
    throw new ConfigError(`invalid ${file}:\n  ${problems.join('\n  ')}`, 'see `outbox-chaos zoo --help`');
  return {
    failedTask: o.failedTask as ZooExtra['failedTask'],
    mustPass: o.mustPass !== false,
    ...(o.exampleDetail !== undefined ? { exampleDetail: String(o.exampleDetail) } : {}),
    ...(o.controlFailedTask !== undefined ? { controlFailedTask: o.controlFailedTask as 'source' | 'sink' } : {}),
  };
}

/** The zoo's entries (all, or those named), loaded and validated before anything touches a stack. */
export function loadZooEntries(only?: string[]): ZooEntry[] {
  const all = listZoo();
  if (only?.length) {
    const unknown = only.filter((n) => !all.some((e) => e.name === n));
    if (unknown.length)
      throw new ConfigError(
        `no zoo entry named ${unknown.map((n) => `"${n}"`).join(', ')}`,
        `known: ${all.map((e) => e.name).join(', ')}`,
      );
  }
  return all
    .filter((e) => !only?.length || only.includes(e.name))
    .map((e) => {
      const scenario = loadScenario(e.file);
      if (!expectsFailure(scenario.expect)) {
        throw new ConfigError(
          `${e.file}: a zoo entry must expect a failure (expect.verdict diverged or converged-late, ` +
            'expect.regressions some, or expect.slotLagMb with a min)',
          'a zoo entry is a known-bad pipeline',
        );
      }
      // A definition must load (valid JSON, known placeholders) before the run; dummy values are enough.
      const vars = Object.fromEntries(PLACEHOLDERS.map((k) => [k, 'x']));
      loadDefinition(e.dir, vars);
      const changed = DEFINITION_FILES.filter((f) => existsSync(join(e.dir, f)));
      if (changed.length === 0)
        throw new ConfigError(
          `${e.dir} holds no definition file`,
          `add the changed one of ${DEFINITION_FILES.join(', ')}`,
        );
      const extra = readExtra(e.dir);
      return {
        name: e.name,
        dir: e.dir,
        // The run's own judge then checks the entry's failed-task expectation too.
        scenario: {
          ...scenario,
          expect: { ...scenario.expect, failedTask: extra.failedTask ?? scenario.expect.failedTask },
        },
        extra,
        connectors: {
          source: connectorName(e.dir, 'register-postgres.json'),
          sink: connectorName(e.dir, 'register-elasticsearch.json'),
        },
        base: diffBase(e.dir),
        changed,
        diff: definitionDiff(e.dir),
      };
    });
}

/**
 * Whether an expectation is a failure a zoo entry can show: a divergence, search users seeing products go back
 * on the way to convergence, or a slot that grows past a floor.
 */
export function expectsFailure(x: Scenario['expect']): boolean {
  return x.verdict !== 'converged' || x.regressions === 'some' || (x.slotLagMb !== undefined && 'min' in x.slotLagMb);
}

/**
 * The healthy pipeline under an entry's scenario converges; where the entry's bug is search regressions, it
 * must also show none, and where it is a growing slot, keep the slot below the entry's floor.
 */
export function controlExpectation(entry: ZooEntry): ZooEntry['scenario']['expect'] {
  // A loud stop (zoo.yaml controlFailedTask) is what the healthy pipeline does where the entry loses silently.
  const loud = entry.extra.controlFailedTask;
  if (loud) return { verdict: 'diverged', anomalies: [], failedTask: loud, regressions: 'any' };
  // Where the entry's bug is a slot that grows past a floor, the healthy pipeline keeps it below that floor.
  const grows = entry.scenario.expect.slotLagMb;
  return {
    verdict: 'converged',
    anomalies: [],
    regressions: entry.scenario.expect.regressions === 'some' ? 'none' : 'any',
    ...(grows && 'min' in grows ? { slotLagMb: { max: grows.min } } : {}),
  };
}
