/**
 * Where the features of index definitions and sink settings live in a search engine: a field type, an
 * analysis component or a script language that is not part of the engine's core comes with a module (shipped
 * in modules/) or a plugin. Only what lives outside core is listed; anything else is left to the engine.
 *
 * `es` / `os`: the module or plugin on Elasticsearch / OpenSearch; null where that engine has it in core,
 * absent where that engine has no such feature at all (the entry then does not apply to it).
 */
export interface FeatureHome {
  es?: string | null;
  os?: string | null;
}

export type Engine = 'elasticsearch' | 'opensearch';

/** Both engines keep it in the same module. */
const both = (m: string): FeatureHome => ({ es: m, os: m });

/** Field types (mappings, multi-fields, dynamic templates, runtime fields). */
export const FIELD_TYPES: Record<string, FeatureHome> = {
  scaled_float: both('mapper-extras'),
  search_as_you_type: both('mapper-extras'),
  token_count: both('mapper-extras'),
  rank_feature: both('mapper-extras'),
  rank_features: both('mapper-extras'),
  match_only_text: { es: 'mapper-extras', os: null },
  join: both('parent-join'),
  percolator: both('percolator'),
  wildcard: { es: 'wildcard', os: null },
  constant_keyword: { es: 'constant-keyword', os: null },
  version: { es: 'mapper-version' },
  unsigned_long: { es: 'unsigned-long', os: null },
  aggregate_metric_double: { es: 'x-pack-aggregate-metric' },
  histogram: { es: 'x-pack-analytics' },
  semantic_text: { es: 'x-pack-inference' },
  shape: { es: 'spatial' },
  knn_vector: { os: 'opensearch-knn' },
  annotated_text: both('mapper-annotated-text'),
  murmur3: both('mapper-murmur3'),
  icu_collation_keyword: both('analysis-icu'),
};

const COMMON_TOKENIZERS = [
  'simple_pattern',
  'simple_pattern_split',
  'thai',
  'ngram',
  'nGram',
  'edge_ngram',
  'edgeNGram',
  'char_group',
  'classic',
  'letter',
  'lowercase',
  'path_hierarchy',
  'PathHierarchy',
  'pattern',
  'uax_url_email',
  'whitespace',
  'keyword',
];

const COMMON_TOKEN_FILTERS = [
  'apostrophe',
  'arabic_normalization',
  'arabic_stem',
  'asciifolding',
  'bengali_normalization',
  'brazilian_stem',
  'cjk_bigram',
  'cjk_width',
  'classic',
  'common_grams',
  'condition',
  'czech_stem',
  'decimal_digit',
  'delimited_payload',
  'dictionary_decompounder',
  'dutch_stem',
  'edge_ngram',
  'edgeNGram',
  'elision',
  'fingerprint',
  'flatten_graph',
  'french_stem',
  'german_normalization',
  'german_stem',
  'hindi_normalization',
  'hyphenation_decompounder',
  'indic_normalization',
  'keep',
  'keep_types',
  'keyword_marker',
  'kstem',
  'length',
  'limit',
  'lowercase',
  'min_hash',
  'multiplexer',
  'ngram',
  'nGram',
  'pattern_capture',
  'pattern_replace',
  'persian_normalization',
  'porter_stem',
  'predicate_token_filter',
  'remove_duplicates',
  'reverse',
  'russian_stem',
  'scandinavian_folding',
  'scandinavian_normalization',
  'serbian_normalization',
  'snowball',
  'sorani_normalization',
  'stemmer',
  'stemmer_override',
  'synonym',
  'synonym_graph',
  'trim',
  'truncate',
  'unique',
  'uppercase',
  'word_delimiter',
  'word_delimiter_graph',
];

const COMMON_CHAR_FILTERS = ['html_strip', 'mapping', 'pattern_replace'];

/** Analyzers by name (`"analyzer": "english"` or a custom analyzer's `type`); standard and its kin are core. */
const COMMON_ANALYZERS = [
  'fingerprint',
  'pattern',
  'snowball',
  ...[
    'arabic',
    'armenian',
    'basque',
    'bengali',
    'brazilian',
    'bulgarian',
    'catalan',
    'chinese',
    'cjk',
    'czech',
    'danish',
    'dutch',
    'english',
    'estonian',
    'finnish',
    'french',
    'galician',
    'german',
    'greek',
    'hindi',
    'hungarian',
    'indonesian',
    'irish',
    'italian',
    'latvian',
    'lithuanian',
    'norwegian',
    'persian',
    'portuguese',
    'romanian',
    'russian',
    'sorani',
    'spanish',
    'swedish',
    'thai',
    'turkish',
  ],
];

const table = (names: string[], home: FeatureHome): Record<string, FeatureHome> =>
  Object.fromEntries(names.map((n) => [n, home]));

/** Analysis plugins name their components with a prefix of their own. */
const PLUGIN_PREFIXES: [string, string][] = [
  ['icu_', 'analysis-icu'],
  ['kuromoji', 'analysis-kuromoji'],
  ['nori', 'analysis-nori'],
  ['smartcn', 'analysis-smartcn'],
  ['phonetic', 'analysis-phonetic'],
  ['polish', 'analysis-stempel'],
  ['ukrainian', 'analysis-ukrainian'],
];

export type AnalysisKind = 'tokenizer' | 'filter' | 'char_filter' | 'analyzer' | 'normalizer';

const ANALYSIS: Record<AnalysisKind, Record<string, FeatureHome>> = {
  tokenizer: table(COMMON_TOKENIZERS, both('analysis-common')),
  filter: table(COMMON_TOKEN_FILTERS, both('analysis-common')),
  char_filter: table(COMMON_CHAR_FILTERS, both('analysis-common')),
  analyzer: table(COMMON_ANALYZERS, both('analysis-common')),
  normalizer: {},
};

/**
 * Core keeps a ready-made instance of these under their names (`"filter": ["lowercase"]`, `"analyzer":
 * "simple"` work without the module), but defining one of them as a type needs analysis-common.
 */
const CORE_BY_NAME: Partial<Record<AnalysisKind, string[]>> = {
  filter: ['lowercase'],
  analyzer: ['simple', 'whitespace', 'keyword', 'stop'],
};

/** Where an analysis component lives: `asType` for a custom definition's `type`, else a reference by name. */
export function analysisHome(kind: AnalysisKind, name: string, asType: boolean): FeatureHome | undefined {
  if (!asType && CORE_BY_NAME[kind]?.includes(name)) return undefined;
  if (asType && kind === 'analyzer' && CORE_BY_NAME.analyzer?.includes(name)) return both('analysis-common');
  const own = ANALYSIS[kind][name];
  if (own) return own;
  const p = PLUGIN_PREFIXES.find(([prefix]) => name.startsWith(prefix));
  return p ? both(p[1]) : undefined;
}

/** Scripts in a language other than painless name their module by the language. */
export function scriptHome(lang: string | undefined): FeatureHome | undefined {
  const l = lang ?? 'painless';
  if (l === 'painless') return both('lang-painless');
  if (l === 'expression') return both('lang-expression');
  if (l === 'mustache') return both('lang-mustache');
  return undefined;
}

/** Ingest pipelines: the node runs them in core, but every processor beyond a handful lives here. */
export const INGEST_HOME: FeatureHome = both('ingest-common');

/** The module or plugin that provides the feature on this engine: null in core, undefined when not applicable. */
export function homeOn(home: FeatureHome, engine: Engine): string | null | undefined {
  return engine === 'opensearch' ? home.os : home.es;
}
