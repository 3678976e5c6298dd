import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { faultNeeds, makeFault } from '../faults/registry.ts';
import { PROJECT_ROOT } from '../provision/paths.ts';
import { isPgMajor, PG_MAJORS, resolvePgMajor } from '../provision/pg-versions.ts';
import { COMPONENTS, scenarioComponentVersion } from '../provision/component-versions.ts';
import { workRoot } from '../record/paths.ts';
import { TOPOLOGIES, type Topology } from '../stack/targets.ts';
import { ANOMALY_CLASSES, type AnomalyClass, type Verdict } from '../record/anomalies.ts';
import { ConfigError, errorMessage } from '../util/errors.ts';
import { parseProfile, ProfileError } from '../workload/profile.ts';
import { parseDuration } from './duration.ts';
import { DEFAULT_MIN_ROWS } from './judge.ts';
import { checkRandomFaults } from './random-chaos.ts';
import {
  DEFAULT_SETTLE_MS,
  DUPLICATE_EXPECTATIONS,
  MIN_SETTLE_MS,
  REGRESSION_EXPECTATIONS,
  type DuplicateExpectation,
  type FaultStep,
  type OperatorRule,
  type RegressionExpectation,
  type Scenario,
  type SlotLagExpectation,
} from './schema.ts';

export const SCENARIOS_DIR = join(PROJECT_ROOT, 'scenarios');
/** Known-bad pipeline definitions, one directory each: its changed files plus scenario.yaml. */
export const ZOO_DIR = join(SCENARIOS_DIR, 'zoo');

const VERDICTS: Verdict[] = ['converged', 'converged-late', 'flapped', 'diverged'];
const TOP_KEYS = [
  'name',
  'description',
  'healthy',
  'seed',
  'workload',
  'faults',
  'randomFaults',
  'budget',
  'expect',
  'operator',
  'registerDuringWorkload',
  'preload',
  'topology',
  'versions',
  'watch',
];

type Obj = Record<string, unknown>;

class Problems {
  readonly list: string[] = [];
  add(field: string, msg: string): void {
    this.list.push(`${field}: ${msg}`);
  }
  /** A message that names its field itself (the fault registry's). */
  line(msg: string): void {
    this.list.push(msg);
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function duration(p: Problems, obj: Obj, key: string, field: string, fallback?: number): number | undefined {
  const v = obj[key];
  if (v === undefined) return fallback;
  const ms = parseDuration(v);
  if (ms === undefined) p.add(field, `must be a duration like "500ms", "10s" or "2m", got ${JSON.stringify(v)}`);
  return ms;
}

/** Scenario files say `duration` ("60s") and `rate` where the profile says durationMs and ratePerSec. */
const WORKLOAD_KEYS: Record<string, string> = { durationMs: 'duration', ratePerSec: 'rate' };

/** Translates the scenario's workload keys into the profile's before validating; a bad duration is reported here. */
function workloadInput(p: Problems, raw: unknown): unknown {
  if (!isObj(raw)) return raw;
  const out: Obj = { ...raw };
  if ('duration' in out) {
    const ms = duration(p, out, 'duration', 'workload.duration');
    delete out.duration;
    if (ms !== undefined) out.durationMs = ms;
  }
  if ('rate' in out) {
    out.ratePerSec = out.rate;
    delete out.rate;
  }
  return out;
}

/** The profile's problems in the words of the scenario file: `workload.rate`, never `workload.ratePerSec`. */
function userWords(text: string): string {
  return text.replace(/\b(durationMs|ratePerSec)\b/g, (k) => WORKLOAD_KEYS[k] ?? k);
}

function parseFaults(p: Problems, raw: unknown): FaultStep[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    p.add('faults', 'must be a list of { at, for, kind, target, ... }');
    return [];
  }
  return raw.flatMap((f: unknown, i): FaultStep[] => {
    const field = `faults[${i}]`;
    if (!isObj(f)) {
      p.add(field, 'must be an object with at, kind and target');
      return [];
    }
    const { at, for: dur, kind, target, ...params } = f;
    const atMs = duration(p, f, 'at', `${field}.at`);
    if (at === undefined) p.add(`${field}.at`, 'is required (when the fault starts, from the start of the workload)');
    const durationMs = dur === undefined ? undefined : duration(p, f, 'for', `${field}.for`);
    if (typeof kind !== 'string' || !kind) p.add(`${field}.kind`, 'is required, e.g. network.down or process.kill');
    if (typeof target !== 'string' || !target)
      p.add(`${field}.target`, 'is required, e.g. es, kafka, pg, connect, sink');
    else if (typeof kind === 'string' && kind) {
      // The registry knows the kinds, their targets and parameters: an unknown kind fails here, with the rest.
      try {
        makeFault({ kind, target, ...params }, `${kind}#${i + 1}`, field); // as written: flat, or under params
      } catch (err) {
        p.line(errorMessage(err));
      }
    }
    return [{ atMs: atMs ?? 0, durationMs, kind: String(kind), target: String(target), params }];
  });
}

function parseOperator(p: Problems, raw: unknown): OperatorRule[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    p.add('operator', 'must be a list of rules');
    return [];
  }
  return raw.flatMap((r: unknown, i): OperatorRule[] => {
    const field = `operator[${i}]`;
    if (!isObj(r)) {
      p.add(field, 'must be an object');
      return [];
    }
    if (r.when !== 'task-failed') p.add(`${field}.when`, 'must be "task-failed"');
    if (r.action !== 'restart-failed-tasks') p.add(`${field}.action`, 'must be "restart-failed-tasks"');
    const connector = r.connector ?? 'any';
    if (connector !== 'source' && connector !== 'sink' && connector !== 'any')
      p.add(`${field}.connector`, 'must be source, sink or any');
    const afterMs = duration(p, r, 'after', `${field}.after`, 0) ?? 0;
    return [
      {
        when: 'task-failed',
        action: 'restart-failed-tasks',
        connector: connector as OperatorRule['connector'],
        afterMs,
      },
    ];
  });
}

/** Validates an untrusted scenario object; every problem is reported at once, each naming its field. */
export function parseScenario(raw: unknown, file: string): Scenario {
  const p = new Problems();
  if (!isObj(raw))
    throw new ConfigError(
      `${file}: a scenario must be a mapping of fields`,
      'see scenarios/baseline.yaml for the format',
    );
  for (const k of Object.keys(raw))
    if (!TOP_KEYS.includes(k)) p.add(k, `unknown field (known: ${TOP_KEYS.join(', ')})`);
  const name = typeof raw.name === 'string' && raw.name ? raw.name : basename(file).replace(/\.ya?ml$/, '');
  if (typeof raw.description !== 'string')
    p.add('description', 'is required: one sentence saying what the scenario does');
  const seed = raw.seed === undefined ? 1 : raw.seed;
  if (typeof seed !== 'number' || !Number.isInteger(seed)) p.add('seed', 'must be a whole number');

  let workload = parseProfileSafe(p, workloadInput(p, raw.workload ?? {}));
  const budget = isObj(raw.budget) ? raw.budget : {};
  if (raw.budget !== undefined && !isObj(raw.budget)) p.add('budget', 'must be a mapping with convergence and lagP99');
  const convergenceMs = duration(p, budget, 'convergence', 'budget.convergence', 60_000) ?? 60_000;
  const lagP99Ms = budget.lagP99 === undefined ? null : (duration(p, budget, 'lagP99', 'budget.lagP99') ?? null);
  // Equality must still hold this long after it was first seen: a late overwrite inside the window is caught.
  const settleMs = duration(p, budget, 'settle', 'budget.settle', DEFAULT_SETTLE_MS) ?? DEFAULT_SETTLE_MS;
  if (settleMs < MIN_SETTLE_MS)
    p.add('budget.settle', `must be at least ${MIN_SETTLE_MS}ms: equality seen once is not equality that held`);

  const expectRaw = isObj(raw.expect) ? raw.expect : {};
  const { expect, healthy } = parseExpect(p, expectRaw, 'expect', typeof raw.healthy === 'string' ? raw.healthy : '');
  const fromPostgres = parseFromPostgres(p, expectRaw.fromPostgres, healthy);

  const faults = parseFaults(p, raw.faults);
  let randomFaults: Scenario['randomFaults'];
  if (raw.randomFaults !== undefined) {
    const r = isObj(raw.randomFaults) ? raw.randomFaults : {};
    const count = r.count ?? 4;
    const kinds = r.kinds;
    if (typeof count !== 'number' || count < 1) p.add('randomFaults.count', 'must be a positive number');
    if (!Array.isArray(kinds) || kinds.some((k) => typeof k !== 'string'))
      p.add('randomFaults.kinds', 'must be a list of fault kinds');
    randomFaults = {
      count: Number(count),
      kinds: (kinds as string[]) ?? [],
      maxDurationMs: duration(p, r, 'maxDuration', 'randomFaults.maxDuration', 10_000) ?? 10_000,
    };
    if (faults.length)
      p.add(
        'randomFaults',
        'give either faults (a fixed schedule) or randomFaults (one generated from the seed), not both',
      );
    // Unknown kinds or a workload too short for the faults fail here, not halfway through a run.
    if (workload && p.list.length === 0) {
      try {
        checkRandomFaults(randomFaults, workload.durationMs);
      } catch (err) {
        p.add('randomFaults', errorMessage(err));
      }
    }
  }
  for (const f of faults)
    if (f.durationMs !== undefined && workload && f.atMs + f.durationMs > workload.durationMs) {
      p.add(
        'faults',
        `a fault at ${f.atMs} ms lasting ${f.durationMs} ms ends after the workload (${workload.durationMs} ms); ` +
          'lengthen workload.duration',
      );
    }
  // Parsed before the problems are thrown, so a bad operator rule is reported with the rest.
  const operator = parseOperator(p, raw.operator);
  const preload = raw.preload ?? 0;
  if (typeof preload !== 'number' || preload < 0) p.add('preload', 'must be a number of rows ≥ 0');
  if (raw.registerDuringWorkload !== undefined && typeof raw.registerDuringWorkload !== 'boolean')
    p.add('registerDuringWorkload', 'must be true or false');
  const topology = raw.topology ?? 'single';
  if (!(TOPOLOGIES as readonly unknown[]).includes(topology))
    p.add('topology', `must be one of ${TOPOLOGIES.join(', ')}`);
  const versions = parseScenarioVersions(p, raw.versions);
  if (raw.watch !== undefined && raw.watch !== 'sample' && raw.watch !== 'all')
    p.add('watch', 'must be sample (default: 1 in 10 products, at most 50) or all (every product; small key spaces)');

  if (p.list.length) {
    throw new ConfigError(
      `invalid scenario ${file}:\n  ${p.list.join('\n  ')}`,
      'fix the fields named above (see scenarios/baseline.yaml and docs/scenarios-and-faults.md for the format)',
    );
  }
  workload ??= parseProfile({});
  const needs = new Set<Scenario['needs'][number]>();
  for (const k of [...faults.map((f) => f.kind), ...(randomFaults?.kinds ?? [])]) {
    // A randomFaults entry may name a target too: process.kill@connect.
    const need = faultNeeds(k.split('@')[0]!);
    if (need === 'toxiproxy') needs.add('toxiproxy');
    if (need === 'process') needs.add('process-control');
    if (need === 'isolation') needs.add('isolation');
  }
  return {
    name,
    description: String(raw.description),
    healthy,
    file,
    workload,
    seed: seed as number,
    faults,
    randomFaults,
    budget: { convergenceMs, lagP99Ms, settleMs },
    expect,
    ...(fromPostgres.length ? { expectFromPostgres: fromPostgres } : {}),
    operator,
    registerDuringWorkload: raw.registerDuringWorkload === true,
    preload: preload as number,
    topology: topology as Topology,
    ...(versions ? { versions } : {}),
    ...(raw.watch === 'all' ? { watch: 'all' as const } : {}),
    needs: [...needs],
  };
}

/** An expectation (`expect:`, or one of its `fromPostgres` entries) and the healthy behaviour it states. */
function parseExpect(
  p: Problems,
  expect: Obj,
  at: string,
  healthyFallback: string,
): { expect: Scenario['expect']; healthy: string } {
  const verdict = (expect.verdict ?? 'converged') as Verdict;
  if (!VERDICTS.includes(verdict)) p.add(`${at}.verdict`, `must be one of ${VERDICTS.join(', ')}`);
  const anomaliesRaw = expect.anomalies ?? [];
  const anomalies = Array.isArray(anomaliesRaw) ? (anomaliesRaw as unknown[]) : [];
  if (!Array.isArray(anomaliesRaw)) p.add(`${at}.anomalies`, 'must be a list of anomaly classes');
  for (const [i, a] of anomalies.entries()) {
    if (!ANOMALY_CLASSES.includes(a as AnomalyClass))
      p.add(`${at}.anomalies[${i}]`, `must be one of ${ANOMALY_CLASSES.join(', ')}`);
  }
  // A search user must not see a product go back to an older version, unless the scenario expects the bug.
  const regressions = (expect.regressions ?? (verdict === 'converged' ? 'none' : 'any')) as RegressionExpectation;
  if (!REGRESSION_EXPECTATIONS.includes(regressions))
    p.add(`${at}.regressions`, `must be one of ${REGRESSION_EXPECTATIONS.join(', ')}`);
  // A connector whose task must end FAILED, with its trace (a zoo entry's zoo.yaml, or a scenario's expect).
  const failedTask = expect.failedTask;
  if (failedTask !== undefined && failedTask !== 'source' && failedTask !== 'sink')
    p.add(`${at}.failedTask`, 'must be source or sink');
  const minRows = expect.minRows ?? DEFAULT_MIN_ROWS;
  if (typeof minRows !== 'number' || !Number.isInteger(minRows) || minRows < 1)
    p.add(`${at}.minRows`, 'must be a whole number ≥ 1: the rows the history must leave for the run to prove anything');
  // A likely cause the report must name (a pattern over the diagnoses' signatures).
  const diagnosis = expect.diagnosis;
  if (diagnosis !== undefined) {
    if (typeof diagnosis !== 'string' || !diagnosis) p.add(`${at}.diagnosis`, 'must be a non-empty pattern');
    else
      try {
        new RegExp(diagnosis, 'i');
      } catch (err) {
        p.add(`${at}.diagnosis`, `is not a regular expression (${errorMessage(err)})`);
      }
  }
  const fields = expect.fields;
  if (fields !== undefined && (!Array.isArray(fields) || !fields.every((f) => typeof f === 'string' && f)))
    p.add(`${at}.fields`, 'must be a list of document field names, e.g. [stock, note]');
  const slotLagMb = parseSlotLag(p, expect.slotLagMb, `${at}.slotLagMb`);
  const duplicates = expect.duplicates;
  if (duplicates !== undefined && !DUPLICATE_EXPECTATIONS.includes(duplicates as DuplicateExpectation))
    p.add(`${at}.duplicates`, `must be one of ${DUPLICATE_EXPECTATIONS.join(', ')}`);
  const healthy = typeof expect.healthy === 'string' ? expect.healthy : healthyFallback;
  return {
    healthy,
    expect: {
      verdict,
      anomalies: anomalies as AnomalyClass[],
      regressions,
      minRows: minRows as number,
      ...(failedTask ? { failedTask: failedTask as 'source' | 'sink' } : {}),
      ...(typeof diagnosis === 'string' && diagnosis ? { diagnosis } : {}),
      ...(Array.isArray(fields) && fields.length ? { fields: fields as string[] } : {}),
      ...(slotLagMb ? { slotLagMb } : {}),
      ...(typeof duplicates === 'string' ? { duplicates: duplicates as DuplicateExpectation } : {}),
    },
  };
}

/** `slotLagMb: { max: 32 }` or `{ min: 48 }`: one bound, a positive number of MB. */
function parseSlotLag(p: Problems, raw: unknown, at: string): SlotLagExpectation | undefined {
  if (raw === undefined) return undefined;
  const o = isObj(raw) ? raw : undefined;
  const keys = o ? Object.keys(o) : [];
  const key = keys[0];
  const n = key === undefined ? undefined : o?.[key];
  if (keys.length !== 1 || (key !== 'max' && key !== 'min') || typeof n !== 'number' || !(n > 0)) {
    p.add(at, 'must be { max: MB } (a healthy pipeline keeps the slot within it) or { min: MB } (the bug shows)');
    return undefined;
  }
  return key === 'max' ? { max: n } : { min: n };
}

/**
 * `expect.fromPostgres: { 17: { verdict: converged, healthy: … } }`: what a healthy pipeline does from that
 * Postgres major on, where it differs (failover slots came in 17). Each entry is a whole expectation.
 */
function parseFromPostgres(p: Problems, raw: unknown, healthy: string): NonNullable<Scenario['expectFromPostgres']> {
  if (raw === undefined) return [];
  if (!isObj(raw)) {
    p.add(
      'expect.fromPostgres',
      'must be a mapping of Postgres majors to expectations, e.g. { 17: { verdict: converged } }',
    );
    return [];
  }
  return Object.entries(raw).flatMap(([major, e]) => {
    const at = `expect.fromPostgres.${major}`;
    if (!isPgMajor(major)) {
      p.add(at, `no such Postgres major; the ones that exist are ${PG_MAJORS.join(', ')}`);
      return [];
    }
    if (!isObj(e)) {
      p.add(at, 'must be an expectation (verdict, anomalies, …)');
      return [];
    }
    return [{ major: Number(major), ...parseExpect(p, e, at, healthy) }];
  });
}

/**
 * `versions: { postgres: N, debezium: V, kafka: V, elasticsearch: V }`: an unknown Postgres major names the
 * ones that exist; the other versions are checked for syntax here and resolved when a stack starts.
 */
function parseScenarioVersions(p: Problems, raw: unknown): Scenario['versions'] {
  if (raw === undefined) return undefined;
  if (!isObj(raw)) {
    p.add('versions', 'must be a map, e.g. { postgres: 17 }');
    return undefined;
  }
  const known = ['postgres', ...COMPONENTS];
  for (const k of Object.keys(raw))
    if (!known.includes(k)) p.add(`versions.${k}`, `cannot be chosen; only ${known.join(', ')} can`);
  const out: NonNullable<Scenario['versions']> = {};
  let ok = true;
  if (raw.postgres !== undefined) {
    try {
      out.postgres = resolvePgMajor(raw.postgres as string | number, 'versions.postgres').major;
    } catch (err) {
      p.add('versions.postgres', errorMessage(err).replace(/^versions\.postgres=/, ''));
      ok = false;
    }
  }
  for (const c of COMPONENTS) {
    if (raw[c] === undefined) continue;
    try {
      out[c] = scenarioComponentVersion(c, raw[c]);
    } catch (err) {
      p.add(`versions.${c}`, errorMessage(err));
      ok = false;
    }
  }
  return ok ? out : undefined;
}

function parseProfileSafe(p: Problems, input: unknown) {
  try {
    return parseProfile(input, 'workload');
  } catch (err) {
    if (err instanceof ProfileError) for (const x of err.problems) p.add(userWords(x.field), userWords(x.message));
    else p.add('workload', (err as Error).message);
    return undefined;
  }
}

/** The project's own scenarios/ (the directory the command runs in) when the harness is installed into it. */
function ownScenariosDir(): string | undefined {
  const dir = join(workRoot(), 'scenarios');
  return dir !== SCENARIOS_DIR && existsSync(dir) ? dir : undefined;
}

const yamlFiles = (dir: string): { name: string; file: string }[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ name: f.replace(/\.yaml$/, ''), file: join(dir, f) }));

/**
 * A scenario by path, or by name: the project's own scenarios/<name>.yaml first, then the catalogue's
 * (scenarios/<name>.yaml, or scenarios/zoo/<name>/scenario.yaml).
 */
export function resolveScenarioFile(nameOrPath: string): string {
  const own = ownScenariosDir();
  const candidates = [
    nameOrPath,
    ...(own ? [join(own, `${nameOrPath}.yaml`)] : []),
    join(SCENARIOS_DIR, `${nameOrPath}.yaml`),
    join(SCENARIOS_DIR, 'zoo', nameOrPath, 'scenario.yaml'),
  ];
  const found = candidates.find((c) => existsSync(c) && c.endsWith('.yaml'));
  if (!found) {
    throw new ConfigError(
      `no scenario named "${nameOrPath}"`,
      `run \`outbox-chaos list\` to see the catalogue (${listScenarios()
        .map((s) => s.name)
        .join(', ')})`,
    );
  }
  return found;
}

export function loadScenario(nameOrPath: string): Scenario {
  const file = resolveScenarioFile(nameOrPath);
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(
      `${file} is not valid YAML: ${(err as Error).message}`,
      'fix the indentation or quoting at the line named above',
    );
  }
  return parseScenario(raw, file);
}

/** The catalogue and the project's own scenarios, by name; a project's scenario hides a catalogue one of its name. */
export function listScenarios(): { name: string; file: string }[] {
  const own = ownScenariosDir();
  const byName = new Map<string, string>();
  for (const dir of [SCENARIOS_DIR, ...(own ? [own] : [])])
    if (existsSync(dir)) for (const s of yamlFiles(dir)) byName.set(s.name, s.file);
  return [...byName.entries()]
    .sort(([a], [b]) => (`${a}.yaml` < `${b}.yaml` ? -1 : 1))
    .map(([name, file]) => ({ name, file }));
}

/** The zoo: every scenarios/zoo/<name>/ holding a scenario.yaml; `dir` is its pipeline definition. */
export function listZoo(): { name: string; dir: string; file: string }[] {
  if (!existsSync(ZOO_DIR)) return [];
  return readdirSync(ZOO_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(ZOO_DIR, d.name, 'scenario.yaml')))
    .map((d) => d.name)
    .sort()
    .map((name) => ({ name, dir: join(ZOO_DIR, name), file: join(ZOO_DIR, name, 'scenario.yaml') }));
}
