import { describe, expect, it } from 'vitest';
import { IMAGE_NAMES, IMAGES, imageTag, imageVersions, resolveImages } from '../../provision/images.ts';
import { MANIFEST } from '../../provision/manifest.ts';
import { ConfigError } from '../../util/errors.ts';

describe('container images', () => {
  it('pins every image to a version tag, never latest', () => {
    for (const name of IMAGE_NAMES) {
      const tag = imageTag(IMAGES[name].ref);
      expect(tag, name).toMatch(/^\d+\.\d+(\.\d+)?(\.Final)?$/);
    }
  });

  it('matches the local stack versions where an image of that version exists', () => {
    expect(imageTag(IMAGES.postgres.ref)?.split('.')[0]).toBe(MANIFEST.postgres.major);
    expect(imageTag(IMAGES.elasticsearch.ref)).toBe(MANIFEST.elasticsearch.version);
    expect(imageTag(IMAGES.connect.ref)).toBe(MANIFEST.debezium.version);
    expect(`v${imageTag(IMAGES.toxiproxy.ref)}`).toBe(MANIFEST.toxiproxy.version);
    // cp-kafka 8.1.x is Apache Kafka 4.1.x, the local stack's line.
    expect(imageTag(IMAGES.kafka.ref)).toMatch(/^8\.1\.\d+$/);
    expect(MANIFEST.kafka.version).toMatch(/^4\.1\./);
  });

  it('takes each override from its own variable', () => {
    const env = Object.fromEntries(
      IMAGE_NAMES.map((n) => [IMAGES[n].env, n === 'kafka' ? 'm.example/cp-kafka:8.1.1' : `m.example/${n}:1.0`]),
    );
    const images = resolveImages(env);
    for (const n of IMAGE_NAMES) expect(images[n]).toBe(env[IMAGES[n].env]);
    expect(Object.keys(env).sort()).toEqual([
      'OUTBOX_CHAOS_IMAGE_CONNECT',
      'OUTBOX_CHAOS_IMAGE_ELASTICSEARCH',
      'OUTBOX_CHAOS_IMAGE_KAFKA',
      'OUTBOX_CHAOS_IMAGE_POSTGRES',
      'OUTBOX_CHAOS_IMAGE_TOXIPROXY',
    ]);
  });

  it('ignores empty overrides', () => {
    expect(resolveImages({ OUTBOX_CHAOS_IMAGE_POSTGRES: '  ' }).postgres).toBe(IMAGES.postgres.ref);
  });

  it('refuses a Kafka image KafkaContainer cannot drive in KRaft mode', () => {
    for (const bad of [
      'confluentinc/cp-kafka:latest',
      'confluentinc/cp-kafka:7.3.2',
      'confluentinc/cp-kafka@sha256:abcd',
      'confluentinc/cp-kafka',
    ]) {
      expect(() => resolveImages({ OUTBOX_CHAOS_IMAGE_KAFKA: bad }), bad).toThrow(ConfigError);
    }
    expect(resolveImages({ OUTBOX_CHAOS_IMAGE_KAFKA: 'reg:5000/confluentinc/cp-kafka:7.4.0' }).kafka).toBe(
      'reg:5000/confluentinc/cp-kafka:7.4.0',
    );
  });

  it('refuses an override that is not an image reference', () => {
    expect(() => resolveImages({ OUTBOX_CHAOS_IMAGE_CONNECT: 'quay.io/debezium/connect 3.6' })).toThrow(
      /not an image reference/,
    );
  });

  it('reads tags, not registry ports', () => {
    expect(imageTag('reg:5000/a/b:1.2.3')).toBe('1.2.3');
    expect(imageTag('reg:5000/a/b')).toBeUndefined();
    expect(imageTag('a/b@sha256:00')).toBeUndefined();
  });

  it('reports program versions, or the overriding image', () => {
    expect(imageVersions(resolveImages({}))).toEqual({
      postgres: '15.15',
      kafka: '4.1 (Confluent Platform 8.1.1)',
      debezium: '3.6.1.Final',
      elasticsearch: '9.2.0',
      toxiproxy: '2.12.0',
    });
    expect(imageVersions(resolveImages({ OUTBOX_CHAOS_IMAGE_POSTGRES: 'm/pg:15.9' })).postgres).toBe('image m/pg:15.9');
  });
});
