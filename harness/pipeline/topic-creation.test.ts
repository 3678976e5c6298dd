import { describe, expect, it } from 'vitest';
import { sourceTopicCreation } from './lifecycle.ts';

describe('sourceTopicCreation', () => {
  it('is undefined for a source that asks for no topic settings', () => {
    expect(
      sourceTopicCreation({ 'connector.class': 'io.debezium.connector.postgresql.PostgresConnector' }),
    ).toBeUndefined();
  });

  it('turns topic.creation.default.* into partitions, replication factor and topic configs', () => {
    const s = sourceTopicCreation({
      'topic.creation.default.replication.factor': '1',
      'topic.creation.default.partitions': '1',
      'topic.creation.default.min.insync.replicas': '1',
      'topic.creation.default.unclean.leader.election.enable': 'true',
      'topic.creation.default.include': '.*',
    });
    expect(s).toEqual({
      numPartitions: 1,
      replicationFactor: 1,
      configEntries: [
        { name: 'min.insync.replicas', value: '1' },
        { name: 'unclean.leader.election.enable', value: 'true' },
      ],
    });
  });

  it('leaves what the source does not set to the brokers (-1)', () => {
    expect(sourceTopicCreation({ 'topic.creation.default.cleanup.policy': 'compact' })).toEqual({
      numPartitions: -1,
      replicationFactor: -1,
      configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
    });
  });
});
