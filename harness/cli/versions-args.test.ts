import { describe, expect, it } from 'vitest';
import type { Scenario } from '../scenario/schema.ts';
import { ConfigError } from '../util/errors.ts';
import { postgresFor } from './run.ts';
import { searchWithVersions, versionsOpt } from './versions-args.ts';

const local = { kind: 'local' as const, allowDestructive: true };
const sc = (postgres?: '14' | '17'): Scenario => ({ ...(postgres ? { versions: { postgres } } : {}) }) as Scenario;

describe('--versions on the command line', () => {
  it('reads the repeatable flag and refuses an unknown major before anything starts', () => {
    expect(versionsOpt({})).toEqual({});
    expect(versionsOpt({ versions: ['postgres=18'] })).toEqual({ postgres: '18' });
    expect(() => versionsOpt({ versions: ['postgres=19'] })).toThrow(ConfigError);
  });

  it('wins over the scenarios; else the major the scenarios agree on; else the default (undefined)', () => {
    expect(postgresFor('16', [sc('17')], local)).toBe('16');
    expect(postgresFor(undefined, [sc('17'), sc()], local)).toBe('17');
    expect(postgresFor(undefined, [sc(), sc()], local)).toBeUndefined();
  });

  it('refuses scenarios that ask for different majors, and --versions on another provider', () => {
    expect(() => postgresFor(undefined, [sc('14'), sc('17')], local)).toThrow(/different Postgres majors \(14, 17\)/);
    expect(() => postgresFor('17', [], { kind: 'containers', allowDestructive: true })).toThrow(
      /--versions is for the local provider/,
    );
    expect(postgresFor(undefined, [sc('17')], { kind: 'external', allowDestructive: false })).toBeUndefined();
  });

  it('reads opensearch=N beside postgres=N, and refuses an OpenSearch major that has no pin', () => {
    expect(versionsOpt({ versions: ['opensearch=3'] })).toEqual({ opensearch: '3' });
    expect(versionsOpt({ versions: ['postgres=17,opensearch=2'] })).toEqual({ postgres: '17', opensearch: '2' });
    expect(() => versionsOpt({ versions: ['opensearch=1'] })).toThrow(/no such OpenSearch major; .* 2, 3/);
    expect(() => versionsOpt({ versions: ['opensearch=2', 'opensearch=3'] })).toThrow(/opensearch twice/);
    expect(() => versionsOpt({ versions: ['elasticsearch=8'] })).toThrow(/only postgres, opensearch can/);
  });

  it('an OpenSearch major implies OpenSearch, and contradicts Elasticsearch chosen otherwise', () => {
    expect(searchWithVersions(undefined, '3')).toBe('opensearch');
    expect(searchWithVersions('opensearch', '3')).toBe('opensearch');
    expect(searchWithVersions('elasticsearch', undefined)).toBe('elasticsearch');
    expect(searchWithVersions(undefined, undefined)).toBeUndefined();
    expect(() => searchWithVersions('elasticsearch', '3')).toThrow(ConfigError);
  });
});
