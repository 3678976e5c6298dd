import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../provision/paths.ts';
import {
  describeMissing,
  type EngineInfo,
  engineInfo,
  indexFeatures,
  missingFeatures,
  sinkFeatures,
} from './engine-features.ts';
import { engineFix, indexCreationError } from './lifecycle.ts';

// What the local stack's Elasticsearch integ-test zip has, as its _nodes/plugins lists it.
const integTestZip: EngineInfo = {
  engine: 'elasticsearch',
  version: '9.2.0',
  components: ['apm', 'transport-netty4', 'x-pack-core', 'x-pack-security'],
};
const withModules = (...m: string[]): EngineInfo => ({
  ...integTestZip,
  components: [...integTestZip.components, ...m],
});

const realistic = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'examples/realistic-mapping/es-index.json'), 'utf8'),
) as Record<string, unknown>;

const missingOn = (body: Record<string, unknown>, info = integTestZip): string[] =>
  missingFeatures(indexFeatures(body, 'x.json'), info).map((m) => `${m.where} | ${m.feature} | ${m.module}`);

describe('indexFeatures + missingFeatures: a mapping against the engine', () => {
  it('names each field, analysis component and its module the integ-test zip lacks (the realistic mapping)', () => {
    expect(missingOn(realistic)).toEqual([
      'x.json mappings.properties.name.fields.suggest | field type search_as_you_type | mapper-extras',
      'x.json mappings.properties.price | field type scaled_float | mapper-extras',
      'x.json settings.analysis.tokenizer.name_edge | tokenizer type edge_ngram | analysis-common',
      'x.json settings.analysis.filter.folding | token filter type asciifolding | analysis-common',
      'x.json settings.analysis.analyzer.name_search.filter | token filter asciifolding | analysis-common',
      'x.json settings.analysis.normalizer.sort_key.filter | token filter asciifolding | analysis-common',
    ]);
  });

  it('accepts the same mapping where the modules are there, and the seed mapping anywhere', () => {
    expect(missingOn(realistic, withModules('mapper-extras', 'analysis-common'))).toEqual([]);
    const seed = JSON.parse(readFileSync(join(PROJECT_ROOT, 'connectors/es-index.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(missingOn(seed)).toEqual([]);
  });

  it('finds types in multi-fields, nested properties, runtime fields and dynamic templates', () => {
    const body = {
      mappings: {
        properties: {
          a: { type: 'text', fields: { n: { type: 'token_count', analyzer: 'standard' } } },
          o: { type: 'nested', properties: { r: { type: 'rank_feature' }, j: { type: 'join' } } },
        },
        runtime: { day: { type: 'keyword', script: { source: "emit('x')" } } },
        dynamic_templates: [{ prices: { match: '*_price', mapping: { type: 'scaled_float', scaling_factor: 10 } } }],
      },
    };
    expect(missingOn(body)).toEqual([
      'x.json mappings.properties.a.fields.n | field type token_count | mapper-extras',
      'x.json mappings.properties.o.properties.r | field type rank_feature | mapper-extras',
      'x.json mappings.properties.o.properties.j | field type join | parent-join',
      'x.json mappings.dynamic_templates[0].prices.mapping | field type scaled_float | mapper-extras',
      'x.json mappings.runtime.day.script | painless script | lang-painless',
    ]);
  });

  it('core names pass: lowercase and stop filters, the simple analyzer, standard tokenizer, keyword types', () => {
    const body = {
      settings: {
        analysis: {
          analyzer: { a: { type: 'custom', tokenizer: 'standard', filter: ['lowercase', 'stop'] } },
        },
      },
      mappings: { properties: { s: { type: 'text', analyzer: 'simple' }, k: { type: 'keyword' } } },
    };
    expect(missingOn(body)).toEqual([]);
  });

  it('the same names as types need analysis-common (the engine refuses {"type": "lowercase"} without it)', () => {
    const body = {
      settings: {
        index: { analysis: { filter: { lc: { type: 'lowercase' } }, analyzer: { w: { type: 'whitespace' } } } },
      },
    };
    expect(missingOn(body)).toEqual([
      'x.json settings.index.analysis.filter.lc | token filter type lowercase | analysis-common',
      'x.json settings.index.analysis.analyzer.w | analyzer type whitespace | analysis-common',
    ]);
  });

  it("an index's own component shadows a built-in of the same name", () => {
    const body = {
      settings: {
        analysis: {
          tokenizer: { whitespace: { type: 'standard' } },
          analyzer: { english: { type: 'custom', tokenizer: 'whitespace' } },
        },
      },
      mappings: { properties: { t: { type: 'text', analyzer: 'english' } } },
    };
    expect(missingOn(body)).toEqual([]);
    // Without the index's own definitions, both are module features.
    expect(missingOn({ mappings: { properties: { t: { type: 'text', analyzer: 'english' } } } })).toEqual([
      'x.json mappings.properties.t.analyzer | analyzer english | analysis-common',
    ]);
  });

  it('an ingest pipeline in the settings (nested or dotted) needs ingest-common; _none does not', () => {
    expect(missingOn({ settings: { index: { default_pipeline: 'p' } } })).toEqual([
      'x.json settings.index.default_pipeline | ingest pipeline p | ingest-common',
    ]);
    expect(missingOn({ settings: { 'index.final_pipeline': 'q' } })).toEqual([
      'x.json settings.index.final_pipeline | ingest pipeline q | ingest-common',
    ]);
    expect(missingOn({ settings: { index: { default_pipeline: '_none' } } })).toEqual([]);
  });

  it('knows where a type lives on each engine: match_only_text is core on OpenSearch', () => {
    const body = { mappings: { properties: { m: { type: 'match_only_text' }, k: { type: 'knn_vector' } } } };
    expect(missingOn(body)).toEqual(['x.json mappings.properties.m | field type match_only_text | mapper-extras']);
    expect(missingOn(body, { engine: 'opensearch', version: '2.19.6', components: [] })).toEqual([
      'x.json mappings.properties.k | field type knn_vector | opensearch-knn',
    ]);
  });
});

describe('sinkFeatures', () => {
  it("names a sink's ingest pipeline and script, and nothing for the seed's sink", () => {
    const uses = sinkFeatures({ pipeline: 'enrich', 'write.script': 'ctx._source.n++', topics: 't' }, 's.json');
    expect(missingFeatures(uses, integTestZip)).toEqual([
      { where: 's.json pipeline', feature: 'ingest pipeline enrich', module: 'ingest-common' },
      { where: 's.json write.script', feature: 'painless script', module: 'lang-painless' },
    ]);
    const seed = JSON.parse(readFileSync(join(PROJECT_ROOT, 'connectors/register-elasticsearch.json'), 'utf8')) as {
      config: Record<string, string>;
    };
    expect(sinkFeatures(seed.config, 'register-elasticsearch.json')).toEqual([]);
  });
});

describe('engineInfo', () => {
  it('reads the engine, its version and the components every node has', () => {
    const nodes = {
      nodes: {
        a: {
          version: '9.2.0',
          modules: [
            { name: 'mapper-extras', classname: 'org.elasticsearch.index.mapper.extras.MapperExtrasPlugin' },
            { name: 'analysis-common', classname: 'org.elasticsearch.analysis.common.CommonAnalysisPlugin' },
          ],
          plugins: [{ name: 'analysis-icu' }],
        },
        b: { version: '9.2.0', modules: [{ name: 'mapper-extras' }], plugins: [{ name: 'analysis-icu' }] },
      },
    };
    expect(engineInfo(nodes)).toEqual({
      engine: 'elasticsearch',
      version: '9.2.0',
      components: ['analysis-icu', 'mapper-extras'],
    });
    const os = { nodes: { a: { version: '2.19.6', modules: [{ name: 'x', classname: 'org.opensearch.X' }] } } };
    expect(engineInfo(os)).toEqual({ engine: 'opensearch', version: '2.19.6', components: ['x'] });
  });
});

describe('describeMissing and indexCreationError: the environment, not the file', () => {
  it('names the field, the feature, the module and what the engine has', () => {
    const text = describeMissing(
      missingFeatures(indexFeatures(realistic, 'es-index.json'), integTestZip),
      integTestZip,
      'http://es',
    );
    expect(text).toContain('(Elasticsearch 9.2.0) lacks modules mapper-extras, analysis-common');
    expect(text).toContain('the definition is not at fault');
    expect(text).toContain('es-index.json mappings.properties.price: field type scaled_float needs mapper-extras');
    expect(text).toContain('the engine has: apm, transport-netty4, x-pack-core, x-pack-security');
  });

  it('the fix offers the local OpenSearch where it has every missing module, else the other providers', () => {
    const missing = missingFeatures(indexFeatures(realistic), integTestZip);
    expect(engineFix(missing, integTestZip)).toMatch(/^on the local provider, `--search opensearch`/);
    const knn = [{ where: 'x', feature: 'field type knn_vector', module: 'opensearch-knn' }];
    expect(engineFix(knn, integTestZip)).toMatch(/^run on an engine that has the module: the containers provider/);
  });

  it("an unknown name in the engine's answer is exit 3 naming both causes; another 400 is the file's (2)", () => {
    const unknown = indexCreationError(
      'products',
      '/d',
      400,
      '{"reason":"The mapper type [murmur4] declared on field [h] does not exist."}',
    );
    expect(unknown).toMatchObject({ exitCode: 3 });
    expect(unknown.message).toContain('a misspelling, or a module this engine lacks');
    const bad = indexCreationError('products', '/d', 400, '{"reason":"unknown parameter [scaling] on mapper [p]"}');
    expect(bad).toMatchObject({ exitCode: 2, fix: 'fix es-index.json in /d' });
    expect(indexCreationError('products', '/d', 503, 'unavailable')).toMatchObject({ exitCode: 3 });
  });
});
