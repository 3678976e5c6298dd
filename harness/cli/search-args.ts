import { SEARCH_ENGINES, type SearchEngine } from '../provision/index.ts';
import { readPipelineSpec } from '../pipeline/kind.ts';
import { ConfigError } from '../util/errors.ts';
import type { Options } from './args.ts';

export const SEARCH_OPTIONS: Options = { search: { type: 'string' } };

export const SEARCH_HELP = [
  "  --search E        the local stack's search engine: elasticsearch (default; its test distribution",
  '                    has no mapper-extras, analysis-common, painless…) or opensearch (with the modules',
  '                    real mappings use: docs/search-engines.md); other providers run the engine they are given.',
  "                    Default: the definition's pipeline.yaml `search:`, else elasticsearch",
].join('\n');

/** --search, validated; undefined when not given. */
export function searchOpt(values: Record<string, string | boolean | undefined>): SearchEngine | undefined {
  const s = values.search;
  if (s === undefined || typeof s === 'boolean') return undefined;
  if (!(SEARCH_ENGINES as readonly string[]).includes(s))
    throw new ConfigError(`--search must be one of ${SEARCH_ENGINES.join(', ')}, got "${s}"`);
  return s as SearchEngine;
}

/**
 * The engine a local stack runs: --search, else the definition's pipeline.yaml `search:` (a mapping that needs
 * OpenSearch's modules says so once, in its definition). Both given and different is a usage error.
 */
export function searchFor(
  values: Record<string, string | boolean | undefined>,
  connectors: string | undefined,
): SearchEngine | undefined {
  const flag = searchOpt(values);
  const spec = connectors === undefined ? undefined : readPipelineSpec(connectors);
  const declared = spec?.search;
  if (flag && declared && flag !== declared)
    throw new ConfigError(
      `--search ${flag}, but ${spec?.file} says search: ${declared}`,
      `drop --search (the definition chooses ${declared}), or change the definition's search:`,
    );
  return flag ?? declared;
}
