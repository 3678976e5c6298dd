import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePipelineSpec } from '../pipeline/kind.ts';
import { ConfigError } from '../util/errors.ts';
import { searchFor } from './search-args.ts';

function definition(pipelineYaml?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'search-'));
  if (pipelineYaml !== undefined) writeFileSync(join(dir, 'pipeline.yaml'), pipelineYaml);
  return dir;
}

describe('the search engine: --search, or the definition’s pipeline.yaml', () => {
  it('pipeline.yaml takes search: elasticsearch|opensearch, and nothing else', () => {
    expect(parsePipelineSpec('search: opensearch\n', 'p.yaml')).toMatchObject({ kind: 'cdc', search: 'opensearch' });
    expect(parsePipelineSpec('kind: outbox\n', 'p.yaml')).not.toHaveProperty('search');
    expect(() => parsePipelineSpec('search: solr\n', 'p.yaml')).toThrow(
      /search must be one of elasticsearch, opensearch, got "solr"/,
    );
  });

  it('the flag, else the definition, else undefined (the default engine)', () => {
    const os = definition('search: opensearch\n');
    expect(searchFor({}, os)).toBe('opensearch');
    expect(searchFor({ search: 'opensearch' }, os)).toBe('opensearch');
    expect(searchFor({ search: 'opensearch' }, definition())).toBe('opensearch');
    expect(searchFor({}, definition('kind: cdc\n'))).toBeUndefined();
    expect(searchFor({}, undefined)).toBeUndefined();
  });

  it('refuses a flag the definition contradicts (exit 2), naming both', () => {
    const os = definition('search: opensearch\n');
    const err = (() => {
      try {
        searchFor({ search: 'elasticsearch' }, os);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/--search elasticsearch, but .*pipeline\.yaml says search: opensearch/);
  });
});
