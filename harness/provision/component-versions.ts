import { ConfigError, EnvError } from '../util/errors.ts';
import { MANIFEST } from './manifest.ts';
import { MAVEN_CENTRAL } from './maven.ts';
import { compareVersions, isPattern, metadataVersions, nearestVersions, resolveVersion } from './maven-versions.ts';
import { resolveOsMajor, type OsMajor } from './opensearch-versions.ts';
import { resolvePgMajor, type PgMajor } from './pg-versions.ts';

/** The Maven-served components whose version `--versions` chooses (Postgres has its own majors: pg-versions.ts). */
export type Component = 'debezium' | 'kafka' | 'elasticsearch';
export const COMPONENTS: readonly Component[] = ['debezium', 'kafka', 'elasticsearch'];

/** Exact versions a stack runs in place of the manifest's; an absent component runs the manifest's pin. */
export type ComponentPins = Partial<Record<Component, string>>;

/** What `--versions` or a scenario's `versions:` asks for, before resolution (patterns allowed). */
export interface VersionRequests extends ComponentPins {
  postgres?: PgMajor;
  /** The OpenSearch major (a pinned build per major, as Postgres: opensearch-versions.ts). */
  opensearch?: OsMajor;
}

interface Spec {
  /** Every artifact a version must have on Maven Central (`group:artifact:type`); the first one's metadata lists. */
  artifacts: string[];
  /** The oldest version the stack's start path supports (below it the programs start differently). */
  floor: string;
  why: string;
  example: string;
}

export const SPECS: Record<Component, Spec> = {
  debezium: {
    artifacts: ['io.debezium:debezium-connector-postgres:jar'],
    floor: '2.0.0.Final',
    why: 'the pipeline definition uses Debezium 2 settings (topic.prefix)',
    example: 'debezium=3.4.x.Final',
  },
  kafka: {
    artifacts: ['org.apache.kafka:kafka_2.13:jar', 'org.apache.kafka:connect-runtime:jar'],
    floor: '3.3.0',
    why: 'the stack runs Kafka as one KRaft node, production-ready from 3.3',
    example: 'kafka=4.0.x',
  },
  elasticsearch: {
    artifacts: ['org.elasticsearch.distribution.integ-test-zip:elasticsearch:zip'],
    floor: '8.0.0',
    why: 'the stack writes 8.x settings (no security auto-configuration) and records the 8+ launcher',
    example: 'elasticsearch=8.19.x',
  },
};

export function defaultVersion(c: Component): string {
  return MANIFEST[c].version;
}

/** The JDK the Elasticsearch version needs: 9.x 21+, 8.x 17+. */
export function elasticsearchMinJava(version: string): number {
  return Number(version.split('.')[0]) >= 9 ? 21 : 17;
}

/** Central publishes no checksum for some integ-test zips: the manifest pins a sha256 for those it knows. */
export function pinnedSha256(c: Component, version: string): string | undefined {
  return c === 'elasticsearch' && version === MANIFEST.elasticsearch.version
    ? MANIFEST.elasticsearch.sha256
    : undefined;
}

const VERSION_SYNTAX = /^[0-9][0-9A-Za-z.*_-]*$/;

/**
 * `--versions` entries (each `component=version`, repeatable or comma-separated) to requests: the syntax and
 * the component names are checked here, the versions against Maven Central by resolveComponents.
 */
export function parseVersions(entries: readonly string[], where = '--versions'): VersionRequests {
  const out: VersionRequests = {};
  for (const entry of entries
    .flatMap((e) => e.split(','))
    .map((e) => e.trim())
    .filter(Boolean)) {
    const m = /^([\w-]+)=(.+)$/.exec(entry);
    if (!m) throw new ConfigError(`${where} ${entry}: expected component=version`, 'e.g. --versions postgres=17');
    const [, component, version] = m as unknown as [string, string, string];
    if (component !== 'postgres' && component !== 'opensearch' && !(COMPONENTS as string[]).includes(component))
      throw new ConfigError(
        `${where} ${entry}: no component ${component}; ` +
          `the ones that can be chosen are postgres, opensearch, ${COMPONENTS.join(', ')}`,
        `drop it, or name one of those (e.g. ${SPECS.debezium.example})`,
      );
    const key = component as 'postgres' | 'opensearch' | Component;
    const had = out[key];
    if (had !== undefined && had !== version)
      throw new ConfigError(`${where} names ${component} twice (${had} and ${version})`, 'name it once');
    if (key === 'postgres') out.postgres = resolvePgMajor(version).major;
    else if (key === 'opensearch') out.opensearch = resolveOsMajor(version).major;
    else out[key] = checkSyntax(key, version, where);
  }
  return out;
}

function checkSyntax(c: Component, version: string, where: string): string {
  if (!VERSION_SYNTAX.test(version))
    throw new ConfigError(`${where} ${c}=${version}: not a version`, `e.g. --versions ${SPECS[c].example}`);
  return version;
}

/** A scenario file's `versions:` entry for a Maven component: a string version or pattern. */
export function scenarioComponentVersion(c: Component, raw: unknown): string {
  // YAML reads 4.0 as the number 4: a number is refused rather than guessed at.
  if (typeof raw === 'number') throw new ConfigError(`${raw} is a number; quote the version, e.g. "${raw}.x"`);
  const v = raw;
  if (typeof v !== 'string' || !VERSION_SYNTAX.test(v))
    throw new ConfigError(`must be a version or pattern, e.g. ${SPECS[c].example.split('=')[1]}`);
  return v;
}

/**
 * One component's exact version from what Central lists: the asked version itself, or the newest match of a
 * pattern, at or above the supported floor; else a usage error naming the nearest versions that exist.
 */
export function pickVersion(c: Component, asked: string, listed: readonly string[]): string {
  const spec = SPECS[c];
  const supported = listed.filter((v) => compareVersions(v, spec.floor) >= 0);
  const got = resolveVersion(asked, supported);
  if (got) return got;
  if (resolveVersion(asked, listed))
    throw new ConfigError(
      `--versions ${c}=${asked}: older than ${spec.floor}, the oldest the local stack runs (${spec.why})`,
      `choose ${spec.floor} or newer, e.g. --versions ${spec.example}`,
    );
  const near = nearestVersions(asked, supported);
  throw new ConfigError(
    `--versions ${c}=${asked}: Maven Central has no ${c} ${isPattern(asked) ? 'version matching' : 'version'} ` +
      `${asked}; the nearest that exist: ${near.join(', ') || 'none'}`,
    `name one of those, or a pattern such as --versions ${spec.example}`,
  );
}

/** What resolution asks of the network: a text file (undefined on 404), and whether a file is served. */
export interface Central {
  text(url: string): Promise<string | undefined>;
  exists(url: string): Promise<boolean>;
}

const CENTRAL: Central = {
  async text(url) {
    const r = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    if (r.status === 404) return undefined;
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return r.text();
  },
  async exists(url) {
    const r = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(30_000) });
    if (r.status === 404) return false;
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return true;
  },
};

function artifactUrl(gat: string, version: string, ext?: string): string {
  const [g, a, t] = gat.split(':') as [string, string, string];
  return `${MAVEN_CENTRAL}/${g.replaceAll('.', '/')}/${a}/${version}/${a}-${version}.${ext ?? t}`;
}

function metadataUrl(gat: string): string {
  const [g, a] = gat.split(':') as [string, string];
  return `${MAVEN_CENTRAL}/${g.replaceAll('.', '/')}/${a}/maven-metadata.xml`;
}

async function reach<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw new EnvError(
      `resolving --versions: ${what} is unreachable (${(err as Error).message})`,
      'make Maven Central reachable (https://repo.maven.apache.org), or drop --versions to run the pinned versions',
    );
  }
}

/**
 * The versions every artifact of a component lists. Elasticsearch's metadata omits releases that Central
 * serves (it lists no 9.x): an exact version it does not list is looked for directly (serves()).
 */
async function listed(c: Component, central: Central): Promise<string[]> {
  let common: string[] | undefined;
  for (const gat of SPECS[c].artifacts) {
    const url = metadataUrl(gat);
    const xml = await reach(url, () => central.text(url));
    const vs = metadataVersions(xml ?? '');
    common = common ? common.filter((v) => vs.includes(v)) : vs;
  }
  return common ?? [];
}

/** Whether Central serves every file a version needs (and, for a zip without a pinned sha256, its .sha1). */
async function serves(c: Component, version: string, central: Central): Promise<string | undefined> {
  for (const gat of SPECS[c].artifacts) {
    const url = artifactUrl(gat, version);
    if (!(await reach(url, () => central.exists(url)))) return `${url} is not served`;
    if (gat.endsWith(':zip') && !pinnedSha256(c, version)) {
      const sha = artifactUrl(gat, version, 'zip.sha1');
      if (!(await reach(sha, () => central.exists(sha))))
        return `Maven Central publishes no checksum for it (${sha}), so the download could not be verified`;
    }
  }
  return undefined;
}

/** One component's request resolved to an exact version that Central serves, or a usage error. */
export async function resolveComponent(c: Component, asked: string, central: Central = CENTRAL): Promise<string> {
  // The manifest's own pin needs no lookup: the cache may already hold it, and a stack runs offline then.
  if (asked === defaultVersion(c)) return asked;
  const all = await listed(c, central);
  // The manifest's pin exists even where the metadata omits it (Elasticsearch's lists no 9.x).
  if (!all.includes(defaultVersion(c))) all.push(defaultVersion(c));
  let candidates: string[];
  if (isPattern(asked)) {
    const newest = pickVersion(c, asked, all);
    const older = all.filter((v) => v !== newest && resolveVersion(asked, [v]) === v).sort(compareVersions);
    // A listed version may still not be served here: the next older matches stand in.
    candidates = [newest, ...older.reverse().slice(0, 2)];
  } else if (all.includes(asked) || compareVersions(asked, SPECS[c].floor) < 0) {
    candidates = [pickVersion(c, asked, all)];
  } else {
    // Not listed: served all the same (Elasticsearch 9.x), or the error names what exists.
    const problem = await serves(c, asked, central);
    if (!problem) return asked;
    if (!problem.endsWith('is not served'))
      throw new ConfigError(
        `--versions ${c}=${asked}: ${problem}`,
        `choose another, e.g. --versions ${SPECS[c].example}`,
      );
    candidates = [pickVersion(c, asked, all)];
  }
  let problem = '';
  for (const v of candidates) {
    problem = (await serves(c, v, central)) ?? '';
    if (!problem) return v;
  }
  throw new ConfigError(
    `--versions ${c}=${asked}: ${candidates[0]} is listed but not available: ${problem}`,
    `choose another; nearest listed: ${nearestVersions(asked, all).join(', ')}`,
  );
}

/** Every Maven component a request names, resolved (in order); Postgres is left to pg-versions. */
export async function resolveComponents(req: VersionRequests, central: Central = CENTRAL): Promise<ComponentPins> {
  const out: ComponentPins = {};
  for (const c of COMPONENTS) {
    const asked = req[c];
    if (asked !== undefined) out[c] = await resolveComponent(c, asked, central);
  }
  return out;
}

/** The components a stack runs at a version other than the manifest's (what a report's replay must ask for). */
export function nonDefault(versions: Record<string, string>): ComponentPins {
  const out: ComponentPins = {};
  for (const c of COMPONENTS) {
    const v = versions[c];
    if (v !== undefined && v !== defaultVersion(c)) out[c] = v;
  }
  return out;
}
