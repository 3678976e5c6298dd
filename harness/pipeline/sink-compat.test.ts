import { describe, expect, it } from 'vitest';
import {
  CONFLUENT_SINK_CLASS,
  chooseSink,
  effectiveSinkConfig,
  OUR_SINK_CLASS,
  sinkTargetIndex,
} from './sink-compat.ts';

// A sink block as public Debezium → Elasticsearch examples write it (Confluent's class, its keys).
const publicExample = {
  'connector.class': CONFLUENT_SINK_CLASS,
  'tasks.max': '1',
  topics: 'dbserver1.inventory.customers',
  'connection.url': 'http://elastic:9200',
  transforms: 'unwrap,key',
  'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
  'transforms.key.type': 'org.apache.kafka.connect.transforms.ExtractField$Key',
  'transforms.key.field': 'id',
  'key.ignore': 'false',
  'type.name': 'customer',
};

describe("chooseSink: users' configs run unchanged", () => {
  it("runs ours in place of Confluent's when the worker does not have it, with the same keys, and says so", () => {
    const { config, choice } = chooseSink(publicExample, 'register-elasticsearch.json', [OUR_SINK_CLASS]);
    expect(config).toEqual({ ...publicExample, 'connector.class': OUR_SINK_CLASS });
    expect(choice).toMatchObject({
      requested: CONFLUENT_SINK_CLASS,
      ran: OUR_SINK_CLASS,
      substituted: true,
      ignored: ['type.name'],
    });
    // Defaults filled in, Confluent's: several requests in flight, large batches.
    expect(choice.effective).toMatchObject({
      'max.in.flight.requests': '5',
      'batch.size': '2000',
      'linger.ms': '1',
      'behavior.on.null.values': 'FAIL',
      'key.ignore': 'false',
    });
  });

  it("runs Confluent's where the worker has it", () => {
    const { config, choice } = chooseSink(publicExample, 'f', [CONFLUENT_SINK_CLASS, OUR_SINK_CLASS]);
    expect(config['connector.class']).toBe(CONFLUENT_SINK_CLASS);
    expect(choice).toMatchObject({ ran: CONFLUENT_SINK_CLASS, substituted: false, ignored: [] });
  });

  it('refuses keys our sink cannot honour, naming each, before anything is registered', () => {
    expect(() =>
      chooseSink(
        { ...publicExample, 'data.stream.type': 'LOGS', 'elastic.security.protocol': 'SSL' },
        'my/register-elasticsearch.json',
        [OUR_SINK_CLASS],
      ),
    ).toThrow(
      new RegExp(
        /my\/register-elasticsearch\.json: keys .*in place of io\.confluent.*\n {2}/.source +
          /data\.stream\.type=LOGS: data streams are not supported.*\n {2}elastic\.security\.protocol=SSL/.source,
        's',
      ),
    );
    // A refused key at its default value is fine.
    expect(() => chooseSink({ ...publicExample, 'data.stream.type': 'NONE' }, 'f', [OUR_SINK_CLASS])).not.toThrow();
  });

  it('leaves other sinks alone, and fills defaults for ours', () => {
    const other = { 'connector.class': 'com.example.OtherSink', topics: 't' };
    expect(chooseSink(other, 'f', [])).toMatchObject({
      config: other,
      choice: { substituted: false, ran: 'com.example.OtherSink', effective: other },
    });
    expect(effectiveSinkConfig({ 'connector.class': OUR_SINK_CLASS, 'batch.size': '500' })).toMatchObject({
      'batch.size': '500',
      'max.in.flight.requests': '5',
    });
  });

  it('finds the index the sink writes to', () => {
    expect(
      sinkTargetIndex({
        topics: 'oc1.public.products',
        transforms: 'route',
        'transforms.route.type': 'org.apache.kafka.connect.transforms.RegexRouter',
        'transforms.route.regex': '.*',
        'transforms.route.replacement': 'products',
      }),
    ).toBe('products');
    expect(sinkTargetIndex({ topics: 'Oc1.Public.Products' })).toBe('oc1.public.products');
    expect(sinkTargetIndex({ topics: 'a', index: 'mine' })).toBe('mine');
    expect(sinkTargetIndex({ topics: 'a,b' })).toBeUndefined();
    expect(sinkTargetIndex({ 'topics.regex': 'x.*', topics: '' })).toBeUndefined();
    expect(
      sinkTargetIndex({
        topics: 'a',
        transforms: 'r',
        'transforms.r.type': 'org.apache.kafka.connect.transforms.RegexRouter',
        'transforms.r.regex': '(.*)\\.(.*)',
        'transforms.r.replacement': '$2',
      }),
    ).toBeUndefined();
  });
});
