import type { Fault } from './fault.ts';
import type { ParamDef } from './params.ts';

/**
 * What a kind needs from the stack provider: `process` a handle on the service's process, `toxiproxy` the
 * proxies, `isolation` a way to cut a service off at the IP level (a container's network), `api` only the
 * Connect REST API, Postgres and Elasticsearch.
 */
export type FaultNeed = 'process' | 'toxiproxy' | 'isolation' | 'api';

/** Which providers offer what a kind needs, in words for `list --faults` and the docs. */
export const NEED_PROVIDERS: Record<FaultNeed, string> = {
  process: 'local, containers',
  toxiproxy: 'local, containers; external where its env file names the proxies',
  isolation: 'containers',
  api: 'every provider',
};

/**
 * The topology a kind needs whatever its target: `cluster` for kinds that only exist there (a failover needs a
 * standby). Role targets (`kafka@follower`) need a cluster too; that follows from the target, not the kind.
 */
export type KindTopology = 'any' | 'cluster';

/**
 * Signs that a fault took effect, for the observers to collect and the judge to require: a fault whose signs
 * were not all seen changed nothing, and the run that passed with it proves nothing.
 */
export const EVIDENCE = {
  'proxy-refused-connections': 'connections through the proxy were refused or closed while it was down',
  'toxic-saw-traffic': 'the hop carried bytes, or held connections, while the toxic was on',
  'pid-replaced': "the struck process's pid is gone and the service answers from a new one",
  'process-frozen': 'the process was seen stopped (state T) while the fault lasted',
  'connector-restarted':
    'the connector or a task left RUNNING, or its work came back under a new consumer or replication ' +
    'connection; then RUNNING again',
  'connector-paused': "the connector's tasks reported PAUSED",
  'connector-stopped': 'the connector reported STOPPED and its tasks were released',
  'offsets-reset':
    "Connect listed the connector's committed offsets before the reset and none after it; then RUNNING again",
  'walsender-replaced': "the slot's walsender pid was terminated and a new one streams the slot",
  'app-sessions-terminated': "at least one of the workload's sessions was terminated",
  'standby-promoted': 'the standby was promoted and the pg proxies lead to it',
  'es-rejected-writes': 'Elasticsearch answered the sink with a write block (403 cluster_block_exception)',
  'es-answered-429': 'Elasticsearch rejected bulk requests with 429 (indexing pressure) while the fault lasted',
  'statement-committed': 'the statement committed on the source database (its command tag was answered)',
  'wal-written':
    "Postgres's WAL grew by the noise written while the fault lasted (pg_current_wal_lsn before and after)",
  'isolated-from-network':
    'from inside the cut-off container, a connection to Toxiproxy that succeeded before the cut failed during it',
} as const;
export type Evidence = keyof typeof EVIDENCE;

/** How random-chaos draws one parameter. */
export type Draw =
  | { type: 'int'; min: number; max: number }
  /** A whole percentage between minPct and maxPct of another parameter (drawn before it), rounded down. */
  | { type: 'share'; of: string; minPct: number; maxPct: number }
  | { type: 'pick'; values: readonly (number | string)[] }
  | { type: 'const'; value: number | string }
  | { type: 'oneOf'; options: readonly Draw[] };

export const draw = {
  int: (min: number, max: number): Draw => ({ type: 'int', min, max }),
  share: (of: string, minPct: number, maxPct: number): Draw => ({ type: 'share', of, minPct, maxPct }),
  pick: (...values: (number | string)[]): Draw => ({ type: 'pick', values }),
  constant: (value: number | string): Draw => ({ type: 'const', value }),
  oneOf: (...options: Draw[]): Draw => ({ type: 'oneOf', options }),
};

/** A draw in words, e.g. "50–1500", "0–50 % of latency", "0 or 500–5000". */
export function describeDraw(d: Draw): string {
  switch (d.type) {
    case 'int':
      return `${d.min}–${d.max}`;
    case 'share':
      return `${d.minPct}–${d.maxPct} % of ${d.of}`;
    case 'pick':
      return d.values.join('|');
    case 'const':
      return String(d.value);
    case 'oneOf':
      return d.options.map(describeDraw).join(' or ');
  }
}

export type Params = Record<string, number | string>;

/**
 * Everything about one fault kind. Adding a kind is adding one of these (and its handler) to its family's
 * file and to the list in registry.ts.
 */
export interface FaultKind {
  /** As scenario files name it, `<family>.<name>`, e.g. "network.latency". */
  kind: string;
  /** One line for `list --faults` and the docs. */
  summary: string;
  /** A minimal valid spec without its kind, as a scenario file writes it: the docs show it, the tests build it. */
  example: Readonly<Record<string, unknown>>;
  needs: FaultNeed;
  topology: KindTopology;
  /** Every target the kind accepts; a cluster's role targets resolve only on a cluster. */
  targets: readonly string[];
  /** Used when the spec gives no target (kinds that can only hit one thing). */
  defaultTarget?: string;
  params: readonly ParamDef[];
  /** Checks across parameters, after each one passed its own; throws a ConfigError naming `path`. */
  check?(p: Params, path: string): void;
  /**
   * How random-chaos draws the parameters, in this order (a share's base first). Optional parameters left out
   * take their default; a kind with a required parameter and no draw cannot be chosen by random-chaos.
   */
  random?: Readonly<Record<string, Draw>>;
  /** No duration: the action is over when start() returns. */
  instantaneous: boolean;
  /** What proves the fault took effect: every sign listed must be seen (see EVIDENCE). */
  evidence: readonly Evidence[];
  build(id: string, target: string, p: Params): Fault;
}

/** A parameter the kind's validation guarantees (a required one). */
export const num = (p: Params, k: string): number => p[k] as number;
/** An optional parameter, undefined when the spec leaves it out. */
export const opt = (p: Params, k: string): number | undefined => p[k] as number | undefined;

const isRole = (target: string): boolean => target.includes('@');

function drawProblems(name: string, d: Draw, drawnBefore: readonly string[], top: boolean): string[] {
  switch (d.type) {
    case 'int':
      return d.min <= d.max ? [] : [`random.${name}: min ${d.min} above max ${d.max}`];
    case 'pick':
      return d.values.length ? [] : [`random.${name}: pick from nothing`];
    case 'const':
      return [];
    case 'oneOf':
      return d.options.length
        ? d.options.flatMap((o) => drawProblems(name, o, drawnBefore, false))
        : [`random.${name}: oneOf nothing`];
    case 'share':
      if (!top) return [`random.${name}: a share cannot be nested`];
      if (!drawnBefore.includes(d.of)) return [`random.${name}: its base ${d.of} is not drawn before it`];
      return d.minPct >= 0 && d.minPct <= d.maxPct ? [] : [`random.${name}: bad percentages`];
  }
}

/** What is missing or inconsistent in a definition; empty when it is complete. */
export function kindProblems(def: FaultKind): string[] {
  const out: string[] = [];
  const say = (ok: boolean, problem: string) => ok || out.push(problem);
  say(/^[a-z]+\.[a-z_-]+$/.test(def.kind), `kind "${def.kind}" is not <family>.<name>`);
  say(/^[^\n]{10,100}$/.test(def.summary), 'summary is not one line of 10 to 100 characters');
  say(def.targets.length > 0 && new Set(def.targets).size === def.targets.length, 'targets empty or repeated');
  say(def.defaultTarget === undefined || def.targets.includes(def.defaultTarget), 'defaultTarget not a target');
  say(def.topology === 'cluster' || !def.targets.every(isRole), 'every target is a cluster role: topology cluster');
  const names = def.params.map((p) => p.name);
  say(new Set(names).size === names.length, 'a parameter is declared twice');
  say(def.evidence.length > 0, 'no evidence declared');
  for (const e of def.evidence) say(e in EVIDENCE, `unknown evidence "${e}"`);
  say(new Set(def.evidence).size === def.evidence.length, 'an evidence is declared twice');
  say(!('kind' in def.example), 'example repeats the kind');
  const drawn: string[] = [];
  for (const [name, d] of Object.entries(def.random ?? {})) {
    say(names.includes(name), `random.${name} is not a parameter`);
    out.push(...drawProblems(name, d, drawn, true));
    drawn.push(name);
  }
  for (const p of def.params) say(!p.required || drawn.includes(p.name), `required ${p.name} has no random draw`);
  return out;
}
