import {
  analysisHome,
  type AnalysisKind,
  type Engine,
  FIELD_TYPES,
  type FeatureHome,
  homeOn,
  INGEST_HOME,
  scriptHome,
} from './engine-modules.ts';

/** What the running search engine has: its kind, version, and the modules and plugins on every node. */
export interface EngineInfo {
  engine: Engine;
  version: string;
  /** Module and plugin names present on every node (a feature must be on each node that may hold a shard). */
  components: string[];
}

/** One feature a definition uses: where (a path in a file or a setting), what, and where it lives. */
export interface FeatureUse {
  where: string;
  feature: string;
  home: FeatureHome;
}

/** A feature the engine lacks, with the module or plugin that would provide it. */
export interface MissingFeature {
  where: string;
  feature: string;
  module: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/**
 * Reads a `GET /_nodes/plugins` body into what the engine has. The kind comes from the components' Java
 * packages (OpenSearch's are org.opensearch.*): `GET /` is itself a module on Elasticsearch (rest-root), which
 * a minimal distribution may lack.
 */
export function engineInfo(nodesPlugins: unknown): EngineInfo {
  const nodes = isObj(nodesPlugins) && isObj(nodesPlugins.nodes) ? Object.values(nodesPlugins.nodes) : [];
  const items = (n: unknown): Obj[] =>
    isObj(n) ? [n.modules, n.plugins].flatMap((l) => (Array.isArray(l) ? l.filter(isObj) : [])) : [];
  const perNode = nodes.map((n) => new Set(items(n).flatMap((m) => (typeof m.name === 'string' ? [m.name] : []))));
  const [first, ...rest] = perNode;
  const components = [...(first ?? [])].filter((c) => rest.every((s) => s.has(c))).sort();
  const opensearch = nodes.some((n) =>
    items(n).some((m) => typeof m.classname === 'string' && m.classname.startsWith('org.opensearch.')),
  );
  const node = nodes[0];
  const version = isObj(node) && typeof node.version === 'string' ? node.version : 'unknown';
  return { engine: opensearch ? 'opensearch' : 'elasticsearch', version, components };
}

/** The settings object flattened to dotted keys (`{"index": {"default_pipeline": ...}}` and the dotted form agree). */
function flatten(o: Obj, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (isObj(v) && k !== 'analysis') Object.assign(out, flatten(v, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

/** The analysis section, under `settings.analysis` or `settings.index.analysis`. */
function analysisOf(settings: Obj): Obj {
  if (isObj(settings.analysis)) return settings.analysis;
  if (isObj(settings.index) && isObj(settings.index.analysis)) return settings.index.analysis;
  const dotted = settings['index.analysis'];
  return isObj(dotted) ? dotted : {};
}

const KIND_SECTION: Record<AnalysisKind, string> = {
  tokenizer: 'tokenizer',
  filter: 'filter',
  char_filter: 'char_filter',
  analyzer: 'analyzer',
  normalizer: 'normalizer',
};

const KIND_WORD: Record<AnalysisKind, string> = {
  tokenizer: 'tokenizer',
  filter: 'token filter',
  char_filter: 'char filter',
  analyzer: 'analyzer',
  normalizer: 'normalizer',
};

/** Uses of analysis components: in the custom definitions, and by name from the mappings (`analyzer`). */
class Analysis {
  readonly uses: FeatureUse[] = [];
  private readonly section: Obj;

  constructor(settings: Obj) {
    this.section = analysisOf(settings);
    const base = isObj(settings.analysis) ? 'settings.analysis' : 'settings.index.analysis';
    for (const kind of Object.keys(KIND_SECTION) as AnalysisKind[]) {
      const defs = this.section[KIND_SECTION[kind]];
      if (!isObj(defs)) continue;
      for (const [name, def] of Object.entries(defs)) {
        if (!isObj(def)) continue;
        const where = `${base}.${KIND_SECTION[kind]}.${name}`;
        if (typeof def.type === 'string' && def.type !== 'custom') this.builtIn(kind, def.type, where, true);
        if (kind === 'analyzer' || kind === 'normalizer') {
          for (const t of strings(def.tokenizer)) this.ref('tokenizer', t, `${where}.tokenizer`);
          for (const f of strings(def.filter)) this.ref('filter', f, `${where}.filter`);
          for (const c of strings(def.char_filter)) this.ref('char_filter', c, `${where}.char_filter`);
        }
        if (kind === 'filter' && def.type === 'condition' && isObj(def.script)) this.script(def.script, where);
        if (kind === 'filter' && def.type === 'predicate_token_filter' && isObj(def.script))
          this.script(def.script, where);
      }
    }
  }

  /** A reference by name: a custom component of this index, or a built-in one. */
  ref(kind: AnalysisKind, name: string, where: string): void {
    const own = this.section[KIND_SECTION[kind]];
    if (isObj(own) && name in own) return;
    this.builtIn(kind, name, where, false);
  }

  private builtIn(kind: AnalysisKind, name: string, where: string, asType: boolean): void {
    const home = analysisHome(kind, name, asType);
    if (home) this.uses.push({ where, feature: `${KIND_WORD[kind]} ${asType ? 'type ' : ''}${name}`, home });
  }

  script(script: Obj, where: string): void {
    const home = scriptHome(typeof script.lang === 'string' ? script.lang : undefined);
    const lang = typeof script.lang === 'string' ? script.lang : 'painless';
    if (home) this.uses.push({ where: `${where}.script`, feature: `${lang} script`, home });
  }
}

/** Walks a mapping's fields (properties, multi-fields) and what each uses. */
function walkFields(props: unknown, path: string, analysis: Analysis, uses: FeatureUse[]): void {
  if (!isObj(props)) return;
  for (const [name, field] of Object.entries(props)) {
    if (!isObj(field)) continue;
    const where = `${path}.${name}`;
    fieldUses(field, where, analysis, uses);
    walkFields(field.properties, `${where}.properties`, analysis, uses);
    walkFields(field.fields, `${where}.fields`, analysis, uses);
  }
}

function fieldUses(field: Obj, where: string, analysis: Analysis, uses: FeatureUse[]): void {
  if (typeof field.type === 'string') {
    const home = FIELD_TYPES[field.type];
    if (home) uses.push({ where, feature: `field type ${field.type}`, home });
  }
  for (const key of ['analyzer', 'search_analyzer', 'search_quote_analyzer'])
    for (const a of strings(field[key])) analysis.ref('analyzer', a, `${where}.${key}`);
  for (const n of strings(field.normalizer)) analysis.ref('normalizer', n, `${where}.normalizer`);
  if (isObj(field.script)) analysis.script(field.script, where);
  else if (typeof field.script === 'string') analysis.script({}, where);
}

/** Every non-core feature an index body (es-index.json) uses. */
export function indexFeatures(body: Obj, file = 'es-index.json'): FeatureUse[] {
  const settings = isObj(body.settings) ? body.settings : {};
  const analysis = new Analysis(settings);
  const uses: FeatureUse[] = [];
  const mappings = isObj(body.mappings) ? body.mappings : {};
  walkFields(mappings.properties, 'mappings.properties', analysis, uses);
  if (isObj(mappings.runtime)) {
    for (const [name, field] of Object.entries(mappings.runtime))
      if (isObj(field)) fieldUses(field, `mappings.runtime.${name}`, analysis, uses);
  }
  if (Array.isArray(mappings.dynamic_templates)) {
    mappings.dynamic_templates.forEach((t: unknown, i) => {
      if (!isObj(t)) return;
      for (const [name, tpl] of Object.entries(t))
        if (isObj(tpl) && isObj(tpl.mapping))
          fieldUses(tpl.mapping, `mappings.dynamic_templates[${i}].${name}.mapping`, analysis, uses);
    });
  }
  const flat = flatten(settings);
  for (const key of ['index.default_pipeline', 'index.final_pipeline', 'default_pipeline', 'final_pipeline']) {
    const v = flat[key];
    if (typeof v === 'string' && v !== '_none')
      uses.push({ where: `settings.${key}`, feature: `ingest pipeline ${v}`, home: INGEST_HOME });
  }
  return [...uses, ...analysis.uses].map((u) => ({ ...u, where: `${file} ${u.where}` }));
}

/** Features a sink's settings use: an ingest pipeline or a script for its writes. */
export function sinkFeatures(config: Record<string, string>, file: string): FeatureUse[] {
  const uses: FeatureUse[] = [];
  for (const [k, v] of Object.entries(config)) {
    if (v.trim() === '') continue;
    if (/(^|\.)pipeline$/.test(k))
      uses.push({ where: `${file} ${k}`, feature: `ingest pipeline ${v}`, home: INGEST_HOME });
    if (/(^|\.)script(\.source)?$/.test(k)) {
      const lang = config[k.replace(/(\.source)?$/, '.lang')] ?? config[`${k}.lang`];
      const home = scriptHome(lang);
      if (home) uses.push({ where: `${file} ${k}`, feature: `${lang ?? 'painless'} script`, home });
    }
  }
  return uses;
}

/** The uses this engine cannot serve: the module or plugin is not among its components. */
export function missingFeatures(uses: FeatureUse[], info: EngineInfo): MissingFeature[] {
  const have = new Set(info.components);
  const out: MissingFeature[] = [];
  for (const u of uses) {
    const module = homeOn(u.home, info.engine);
    if (typeof module === 'string' && !have.has(module)) out.push({ where: u.where, feature: u.feature, module });
  }
  return out;
}

/** The message for a refusal: the file is fine, the engine lacks modules; one line per use. */
export function describeMissing(missing: MissingFeature[], info: EngineInfo, url: string): string {
  const name = info.engine === 'opensearch' ? 'OpenSearch' : 'Elasticsearch';
  const modules = [...new Set(missing.map((m) => m.module))];
  return (
    `the search engine at ${url} (${name} ${info.version}) lacks ${modules.length === 1 ? 'the module' : 'modules'} ` +
    `${modules.join(', ')} that the pipeline definition uses (the definition is not at fault: the engine is):\n` +
    missing.map((m) => `  ${m.where}: ${m.feature} needs ${m.module}`).join('\n') +
    `\n  the engine has: ${info.components.join(', ') || '(no modules or plugins)'}`
  );
}
