import { describe, expect, it } from 'vitest';
import type { Scenario } from '../scenario/schema.ts';
import { ConfigError } from '../util/errors.ts';
import {
  checkSearchVersions,
  componentsFor,
  postgresFor,
  refuseOpenSearchMajor,
  searchWithVersions,
  versionsFlag,
  versionsOpt,
} from './versions-args.ts';

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
});

describe('--versions for Debezium, Kafka and Elasticsearch', () => {
  const wants = (v: Scenario['versions']): Scenario => ({ versions: v }) as Scenario;
  const containers = { kind: 'containers' as const, allowDestructive: true };

  it('reads them from the flag, which wins over what the scenarios agree on', () => {
    const asked = versionsOpt({ versions: ['debezium=3.4.x.Final,kafka=3.9.1'] });
    expect(componentsFor(asked, [wants({ debezium: '3.2.x.Final' })], local)).toEqual({
      debezium: '3.4.x.Final',
      kafka: '3.9.1',
    });
    const agreed = [wants({ elasticsearch: '8.19.x' }), wants({ elasticsearch: '8.19.x' }), wants(undefined)];
    expect(componentsFor({}, agreed, local)).toEqual({ elasticsearch: '8.19.x' });
    expect(componentsFor({}, [sc()], local)).toEqual({});
  });

  it('refuses scenarios that disagree, another provider, and an Elasticsearch version on OpenSearch', () => {
    expect(() => componentsFor({}, [wants({ kafka: '3.9.x' }), wants({ kafka: '4.0.x' })], local)).toThrow(
      /different kafka versions \(3\.9\.x, 4\.0\.x\)/,
    );
    expect(() => componentsFor({ debezium: '3.4.3.Final' }, [], containers)).toThrow(/for the local provider/);
    expect(() => checkSearchVersions({ elasticsearch: '8.19.21' }, 'opensearch')).toThrow(ConfigError);
    expect(() => checkSearchVersions({ elasticsearch: '8.19.21' }, undefined)).not.toThrow();
  });

  it('writes the exact versions into a replay command', () => {
    expect(versionsFlag(undefined, undefined)).toBe('');
    expect(versionsFlag('17', { debezium: '3.4.3.Final' })).toBe('--versions postgres=17,debezium=3.4.3.Final');
  });
});

describe('--versions opensearch=N', () => {
  it('reads opensearch=N beside the others, and refuses an OpenSearch major that has no pin', () => {
    expect(versionsOpt({ versions: ['opensearch=3'] })).toEqual({ opensearch: '3' });
    expect(versionsOpt({ versions: ['postgres=17,opensearch=2'] })).toEqual({ postgres: '17', opensearch: '2' });
    expect(() => versionsOpt({ versions: ['opensearch=1'] })).toThrow(/no such OpenSearch major; .* 2, 3/);
    expect(() => versionsOpt({ versions: ['opensearch=2', 'opensearch=3'] })).toThrow(/opensearch twice/);
  });

  it('an OpenSearch major implies OpenSearch, and contradicts Elasticsearch chosen otherwise', () => {
    expect(searchWithVersions(undefined, '3')).toBe('opensearch');
    expect(searchWithVersions('opensearch', '3')).toBe('opensearch');
    expect(searchWithVersions('elasticsearch', undefined)).toBe('elasticsearch');
    expect(searchWithVersions(undefined, undefined)).toBeUndefined();
    expect(() => searchWithVersions('elasticsearch', '3')).toThrow(ConfigError);
  });

  it('is for the local provider, and for up and run only', () => {
    const containers = { kind: 'containers' as const, allowDestructive: true };
    expect(() => componentsFor({ opensearch: '3' }, [], containers)).toThrow(/for the local provider/);
    expect(() => refuseOpenSearchMajor({ opensearch: '3' }, 'zoo')).toThrow(/not taken by zoo/);
    expect(() => refuseOpenSearchMajor({ postgres: '17' }, 'zoo')).not.toThrow();
  });
});
