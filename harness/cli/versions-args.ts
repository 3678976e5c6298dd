import { DEFAULT_PG_MAJOR, parseVersions, PG_MAJORS, type PgMajor } from '../provision/pg-versions.ts';
import { DEFAULT_OS_MAJOR, OS_MAJORS, type OsMajor } from '../provision/opensearch-versions.ts';
import { ConfigError } from '../util/errors.ts';
import type { SearchEngine } from '../provision/index.ts';
import type { Options } from './args.ts';

export const VERSIONS_OPTIONS: Options = { versions: { type: 'string', multiple: true } };

export const VERSIONS_HELP =
  `  --versions C=V    a component's version on a new local stack (repeatable, or comma-separated);\n` +
  `                    postgres=N, N one of ${PG_MAJORS.join(', ')} (default ${DEFAULT_PG_MAJOR}): the
                    pinned build of that major (docs/postgres-versions.md); opensearch=N, N one of
                    ${OS_MAJORS.join(', ')} (default ${DEFAULT_OS_MAJOR}; implies --search opensearch;
                    docs/search-engines.md). A running stack of another major is refused`;

/** --versions, validated (an unknown component or major is exit 2); the Postgres major asked for, if any. */
export function versionsOpt(values: Record<string, unknown>): { postgres?: PgMajor; opensearch?: OsMajor } {
  const v = values.versions;
  if (v === undefined) return {};
  return parseVersions(Array.isArray(v) ? (v as string[]) : [String(v)]);
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
