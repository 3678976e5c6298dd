import { describe, expect, it } from 'vitest';
import { ConfigError } from '../util/errors.ts';
import { parseScenario } from './load.ts';

const base = { description: 'd', workload: { duration: '5s' } };

describe("a scenario's versions", () => {
  it('are absent unless written, and take a Postgres major as a number or a string', () => {
    expect(parseScenario(base, 'x.yaml').versions).toBeUndefined();
    expect(parseScenario({ ...base, versions: { postgres: 17 } }, 'x.yaml').versions).toEqual({ postgres: '17' });
    expect(parseScenario({ ...base, versions: { postgres: '14' } }, 'x.yaml').versions).toEqual({ postgres: '14' });
  });

  it('take Debezium, Kafka and Elasticsearch versions or patterns, unresolved until a stack starts', () => {
    const versions = { debezium: '3.4.x.Final', kafka: '3.9.1', elasticsearch: '8.19.x', postgres: 17 };
    expect(parseScenario({ ...base, versions }, 'x.yaml').versions).toEqual({ ...versions, postgres: '17' });
  });

  it('refuse an unknown major naming the ones that exist, and components that cannot be chosen', () => {
    const refused = (versions: unknown): string => {
      try {
        parseScenario({ ...base, versions }, 'x.yaml');
      } catch (err) {
        if (err instanceof ConfigError) return err.message;
        throw err;
      }
      throw new Error('expected the scenario to be refused');
    };
    expect(refused({ postgres: 12 })).toMatch(/versions\.postgres: 12: no such Postgres major.*14, 15, 16, 17, 18/);
    expect(refused({ zookeeper: '3.9.0' })).toContain(
      'versions.zookeeper: cannot be chosen; only postgres, debezium, kafka, elasticsearch can',
    );
    expect(refused({ kafka: 4.0 })).toContain('versions.kafka: 4 is a number; quote the version');
    expect(refused({ debezium: '3.4 Final' })).toContain('versions.debezium: must be a version or pattern');
    expect(refused('17')).toContain('versions: must be a map');
  });
});
