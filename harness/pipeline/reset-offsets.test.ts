import { describe, expect, it } from 'vitest';
import { loadDefinition, pipelineVars } from './definition.ts';
import { fullyStopped, oldOffsetsUnreachable } from './lifecycle.ts';
import type { ConnectorStatus } from '../connect/client.ts';
import { defaultRunNames, freshRunNames } from './run-names.ts';
import type { Endpoints } from '../stack/endpoints.ts';

const pg = { host: '127.0.0.1', port: 1, user: 'u', password: 'p', database: 'd' };
const ep = { pg, pgProxied: pg, kafkaProxied: 'k:1', esProxiedUrl: 'http://e:1' } as unknown as Endpoints;

describe('skipping the offset wipe between runs', () => {
  it('skips it when the source’s topic prefix and every sink topic are the run’s fresh ones', () => {
    const names = freshRunNames(false);
    const def = loadDefinition(undefined, pipelineVars(ep, names));
    expect(oldOffsetsUnreachable(def, names, def.source.name)).toBe(true);
    expect(oldOffsetsUnreachable(def, names, def.sink.name)).toBe(true);
    expect(oldOffsetsUnreachable(def, names, 'someone-else')).toBe(false);
  });

  it('wipes as before for a fixed prefix, a topic outside the run’s prefix, a regex, another source class', () => {
    const names = freshRunNames(false);
    const def = loadDefinition(undefined, pipelineVars(ep, names));
    const fixed = { ...def, source: { ...def.source, config: { ...def.source.config, 'topic.prefix': 'fixed' } } };
    expect(oldOffsetsUnreachable(fixed, names, def.source.name)).toBe(false);
    const other = {
      ...def,
      source: { ...def.source, config: { ...def.source.config, 'connector.class': 'com.example.Source' } },
    };
    expect(oldOffsetsUnreachable(other, names, def.source.name)).toBe(false);
    const outside = {
      ...def,
      sink: {
        ...def.sink,
        config: { ...def.sink.config, topics: `${names.topicPrefix}.public.products,shared.topic` },
      },
    };
    expect(oldOffsetsUnreachable(outside, names, def.sink.name)).toBe(false);
    const regex = {
      ...def,
      sink: { ...def.sink, config: { ...def.sink.config, 'topics.regex': `${names.topicPrefix}\\..*` } },
    };
    expect(oldOffsetsUnreachable(regex, names, def.sink.name)).toBe(false);
    const up = defaultRunNames();
    expect(oldOffsetsUnreachable(loadDefinition(undefined, pipelineVars(ep, up)), up, def.source.name)).toBe(false);
  });
});

describe('waiting for a stopped connector', () => {
  const status = (connector: string, tasks: string[]): ConnectorStatus => ({
    name: 'c',
    type: 'source',
    connector: { state: connector, worker_id: 'w' },
    tasks: tasks.map((state, id) => ({ id, state, worker_id: 'w' })),
  });

  it(
    'is not done while a task still runs under a connector ' +
      'already reported STOPPED (what Connect answers for ~0.1–0.5 s)',
    () => {
      expect(fullyStopped(status('STOPPED', ['RUNNING']))).toBe(false);
      expect(fullyStopped(status('STOPPED', ['FAILED']))).toBe(false);
      expect(fullyStopped(status('RUNNING', []))).toBe(false);
      expect(fullyStopped(undefined)).toBe(false);
    },
  );

  it('is done once the connector is STOPPED and lists no task', () => {
    expect(fullyStopped(status('STOPPED', []))).toBe(true);
  });
});
