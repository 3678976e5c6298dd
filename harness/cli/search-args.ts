import { SEARCH_ENGINES, type SearchEngine } from '../provision/index.ts';
import { ConfigError } from '../util/errors.ts';
import type { Options } from './args.ts';

export const SEARCH_OPTIONS: Options = { search: { type: 'string' } };

export const SEARCH_HELP = [
  "  --search E        the local stack's search engine: elasticsearch (default; its test distribution",
  '                    has no mapper-extras, analysis-common, painless…) or opensearch (with the modules',
  '                    real mappings use: docs/search-engines.md); other providers run the engine they are given',
].join('\n');

/** --search, validated; undefined when not given. */
export function searchOpt(values: Record<string, string | boolean | undefined>): SearchEngine | undefined {
  const s = values.search;
  if (s === undefined || typeof s === 'boolean') return undefined;
  if (!(SEARCH_ENGINES as readonly string[]).includes(s))
    throw new ConfigError(`--search must be one of ${SEARCH_ENGINES.join(', ')}, got "${s}"`);
  return s as SearchEngine;
}
