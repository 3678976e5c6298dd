import {
  COMPONENTS,
  parseVersions,
  resolveComponents,
  type ComponentPins,
  type VersionRequests,
} from '../provision/component-versions.ts';
import { DEFAULT_PG_MAJOR, PG_MAJORS, type PgMajor } from '../provision/pg-versions.ts';
import type { ProviderChoice } from '../provider/open.ts';
import { traitsOf } from '../provider/traits.ts';
import type { Scenario } from '../scenario/schema.ts';
import { ConfigError } from '../util/errors.ts';
import type { SearchEngine } from '../provision/index.ts';
import { OS_MAJORS, type OsMajor } from '../provision/opensearch-versions.ts';
import type { Options } from './args.ts';
import type { InputCheck } from './inputs.ts';
import { searchFor } from './search-args.ts';

export const VERSIONS_OPTIONS: Options = { versions: { type: 'string', multiple: true } };

export const VERSIONS_HELP =
  '  --versions C=V    component versions of a new local stack (repeatable, or comma-separated):\n' +
  `                    postgres=N, N one of ${PG_MAJORS.join(', ')} (default ${DEFAULT_PG_MAJOR});
                    debezium=V, kafka=V, elasticsearch=V: an exact version or a pattern whose x
                    stands for one number (debezium=3.4.x.Final, kafka=4.0.x, elasticsearch=8.19.x),
                    resolved against Maven Central before anything starts and recorded in the
                    reports (docs/versions.md); opensearch=N, N one of ${OS_MAJORS.join(', ')} (implies
                    --search opensearch; up, run and capacity only); a running stack of other versions is refused`;

/** --versions, its syntax and component names checked (exit 2); versions are resolved by resolveVersionsFor. */
export function versionsOpt(values: Record<string, unknown>): VersionRequests {
  const v = values.versions;
  if (v === undefined) return {};
  return parseVersions(Array.isArray(v) ? (v as string[]) : [String(v)]);
}

/**
 * The Debezium, Kafka and Elasticsearch versions a local stack should run, still unresolved: --versions, else
 * what the scenarios' `versions:` agree on. Other providers run their own versions.
 */
export function componentsFor(asked: VersionRequests, scenarios: Scenario[], choice: ProviderChoice): ComponentPins {
  const out: ComponentPins = {};
  // With postgres=N as well, the Postgres check (postgresFor) reports it: once is enough.
  const any =
    (COMPONENTS.some((c) => asked[c] !== undefined) || asked.opensearch !== undefined) && asked.postgres === undefined;
  if (!traitsOf(choice).choosesVersions) {
    if (any)
      throw new ConfigError(
        `--versions is for the local provider; --provider ${choice.kind} runs its own versions`,
        'drop --versions, or use --provider local',
      );
    return out;
  }
  for (const c of COMPONENTS) {
    const wanted = [...new Set(scenarios.map((s) => s.versions?.[c]).filter((v) => v !== undefined))];
    if (asked[c] !== undefined) out[c] = asked[c];
    else if (wanted.length > 1)
      throw new ConfigError(
        `the scenarios ask for different ${c} versions (${wanted.join(', ')}); one stack runs one`,
        `run them separately, or choose one with --versions ${c}=V`,
      );
    else if (wanted[0] !== undefined) out[c] = wanted[0];
  }
  return out;
}

/** Refuses an Elasticsearch version on a stack that runs OpenSearch: it would be ignored. */
export function checkSearchVersions(c: ComponentPins, search: string | undefined): void {
  if (c.elasticsearch !== undefined && search === 'opensearch')
    throw new ConfigError(
      `--versions elasticsearch=${c.elasticsearch} with --search opensearch: the stack runs no Elasticsearch`,
      'drop one of them',
    );
}

/** Resolves the requested versions against Maven Central (unknown ones are exit 2, naming the nearest). */
export async function resolveVersionsFor(c: ComponentPins): Promise<ComponentPins | undefined> {
  if (Object.keys(c).length === 0) return undefined;
  const pins = await resolveComponents(c);
  return pins;
}

/** The `--versions` a replay command needs to run the same versions (empty when none were chosen). */
export function versionsFlag(postgres: string | undefined, pins: ComponentPins | undefined): string {
  const parts = [
    ...(postgres ? [`postgres=${postgres}`] : []),
    ...Object.entries(pins ?? {}).map(([c, v]) => `${c}=${v}`),
  ];
  return parts.length ? `--versions ${parts.join(',')}` : '';
}

/**
 * The engine with an OpenSearch major asked for: `--versions opensearch=N` implies opensearch; with
 * elasticsearch chosen (by --search or the definition) it is a usage error, not silently dropped.
 */
export function searchWithVersions(
  search: SearchEngine | undefined,
  opensearch: OsMajor | undefined,
): SearchEngine | undefined {
  if (opensearch === undefined) return search;
  if (search === 'elasticsearch')
    throw new ConfigError(
      `--versions opensearch=${opensearch} asks for OpenSearch, but the engine chosen is elasticsearch`,
      'drop --versions opensearch=N, or run OpenSearch (--search opensearch, or search: opensearch in pipeline.yaml)',
    );
  return 'opensearch';
}

/** zoo and compare run on Elasticsearch or a running stack's engine: an OpenSearch major there is refused. */
export function refuseOpenSearchMajor(asked: VersionRequests, command: string): void {
  if (asked.opensearch !== undefined)
    throw new ConfigError(
      `--versions opensearch=${asked.opensearch} is not taken by ${command}`,
      `start the stack with \`outbox-chaos up --detach --versions opensearch=${asked.opensearch}\` and run there`,
    );
}

/**
 * The Postgres major a local stack should run: --versions, else what the scenarios' `versions:` agree on.
 * Scenarios asking for different majors cannot share one stack, and other providers run their own versions.
 */
export function postgresFor(
  asked: PgMajor | undefined,
  scenarios: Scenario[],
  choice: ProviderChoice,
): PgMajor | undefined {
  const wanted = [...new Set(scenarios.map((s) => s.versions?.postgres).filter((v) => v !== undefined))];
  if (!traitsOf(choice).choosesVersions) {
    if (asked !== undefined)
      throw new ConfigError(
        `--versions is for the local provider; --provider ${choice.kind} runs its own versions`,
        'drop --versions, or use --provider local',
      );
    return undefined;
  }
  if (asked !== undefined || wanted.length === 0) return asked;
  if (wanted.length > 1)
    throw new ConfigError(
      `the scenarios ask for different Postgres majors (${wanted.join(', ')}); one stack runs one`,
      'run them separately, or choose one with --versions postgres=N',
    );
  return wanted[0];
}

/**
 * What a local stack the command starts runs, from --versions, --search, the definition and the scenarios named;
 * every problem goes to `check` (reported with the others before anything starts).
 */
export function stackChoices(
  check: InputCheck,
  values: Record<string, string | boolean | string[] | undefined>,
  connectors: string | undefined,
  scenarios: Scenario[],
  choice: ProviderChoice,
): { versions: VersionRequests; postgresMajor?: PgMajor; components: ComponentPins; search?: SearchEngine } {
  const versions = check.take(() => versionsOpt(values), {});
  const postgresMajor = check.take(() => postgresFor(versions.postgres, scenarios, choice));
  const components = check.take(() => componentsFor(versions, scenarios, choice), {});
  const flags = values as Record<string, string | boolean | undefined>;
  const search = check.take(() => searchWithVersions(searchFor(flags, connectors), versions.opensearch));
  check.take(() => checkSearchVersions(components, search));
  return {
    versions,
    components,
    ...(postgresMajor !== undefined ? { postgresMajor } : {}),
    ...(search !== undefined ? { search } : {}),
  };
}
