import { ConfigError } from '../util/errors.ts';
import { MANIFEST } from './manifest.ts';

/**
 * The container images of the containers provider, pinned in one place next to MANIFEST (the local
 * programs) and at the same versions wherever an image of that version exists. Each one can be replaced,
 * e.g. by a mirror or a private registry's copy, with an environment variable:
 *
 *   OUTBOX_CHAOS_IMAGE_POSTGRES       postgres:15.15
 *   OUTBOX_CHAOS_IMAGE_KAFKA          confluentinc/cp-kafka:8.1.1 (Apache Kafka 4.1; must stay a cp-kafka image
 *                                     with a version tag >= 7.4.0: @testcontainers/kafka drives its scripts
 *                                     and needs 7.4 for KRaft)
 *   OUTBOX_CHAOS_IMAGE_CONNECT        quay.io/debezium/connect:3.6.1.Final
 *   OUTBOX_CHAOS_IMAGE_ELASTICSEARCH  docker.elastic.co/elasticsearch/elasticsearch:9.2.0
 *   OUTBOX_CHAOS_IMAGE_TOXIPROXY      ghcr.io/shopify/toxiproxy:2.12.0
 *
 * testcontainers also runs its reaper, testcontainers/ryuk; its own RYUK_CONTAINER_IMAGE replaces that one.
 *
 * On a Docker host without Maven, our sink plugin is built in SINK_BUILD_IMAGE (OUTBOX_CHAOS_IMAGE_MAVEN).
 */
export const IMAGE_NAMES = ['postgres', 'kafka', 'connect', 'elasticsearch', 'toxiproxy'] as const;
export type ImageName = (typeof IMAGE_NAMES)[number];

export interface ImageSpec {
  ref: string;
  /** The variable that overrides ref. */
  env: string;
  /** The version of the program the pinned tag carries, for reports. */
  version: string;
}

export const IMAGES: Record<ImageName, ImageSpec> = {
  postgres: {
    ref: `postgres:${MANIFEST.postgres.major}.15`,
    env: 'OUTBOX_CHAOS_IMAGE_POSTGRES',
    version: `${MANIFEST.postgres.major}.15`,
  },
  // Confluent Platform 8.1.x ships Apache Kafka 4.1.x, the line MANIFEST.kafka pins for the local stack.
  kafka: {
    ref: 'confluentinc/cp-kafka:8.1.1',
    env: 'OUTBOX_CHAOS_IMAGE_KAFKA',
    version: '4.1 (Confluent Platform 8.1.1)',
  },
  connect: {
    ref: `quay.io/debezium/connect:${MANIFEST.debezium.version}`,
    env: 'OUTBOX_CHAOS_IMAGE_CONNECT',
    version: MANIFEST.debezium.version,
  },
  elasticsearch: {
    ref: `docker.elastic.co/elasticsearch/elasticsearch:${MANIFEST.elasticsearch.version}`,
    env: 'OUTBOX_CHAOS_IMAGE_ELASTICSEARCH',
    version: MANIFEST.elasticsearch.version,
  },
  toxiproxy: {
    ref: `ghcr.io/shopify/toxiproxy:${MANIFEST.toxiproxy.version.replace(/^v/, '')}`,
    env: 'OUTBOX_CHAOS_IMAGE_TOXIPROXY',
    version: MANIFEST.toxiproxy.version.replace(/^v/, ''),
  },
};

/** The KRaft floor of @testcontainers/kafka for cp-kafka images (below it, it formats storage itself). */
const MIN_CP_KAFKA = [7, 4, 0];

/** The tag of an image reference, or undefined for a bare name or a digest. A registry port is not a tag. */
export function imageTag(ref: string): string | undefined {
  if (ref.includes('@')) return undefined;
  const last = ref.slice(ref.lastIndexOf('/') + 1);
  const i = last.lastIndexOf(':');
  return i < 0 ? undefined : last.slice(i + 1);
}

function versionAtLeast(tag: string, min: number[]): boolean | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(tag);
  if (!m) return undefined;
  const v = [Number(m[1]), Number(m[2]), Number(m[3])];
  for (let i = 0; i < 3; i++) {
    if ((v[i] as number) !== (min[i] as number)) return (v[i] as number) > (min[i] as number);
  }
  return true;
}

/** The images to run: the pins, with any override from the environment, checked before anything starts. */
export function resolveImages(env: NodeJS.ProcessEnv = process.env): Record<ImageName, string> {
  const out = {} as Record<ImageName, string>;
  for (const name of IMAGE_NAMES) {
    const spec = IMAGES[name];
    const override = env[spec.env]?.trim();
    if (override === undefined || override === '') {
      out[name] = spec.ref;
      continue;
    }
    if (/\s/.test(override))
      throw new ConfigError(
        `${spec.env}="${override}" is not an image reference`,
        `set it to e.g. ${spec.ref}, or unset it`,
      );
    if (name === 'kafka') {
      const tag = imageTag(override);
      // KafkaContainer compares the tag as a version (and throws on anything else), so "latest" or a digest cannot
      // work.
      if (!tag || versionAtLeast(tag, MIN_CP_KAFKA) !== true) {
        throw new ConfigError(
          `${spec.env}="${override}": @testcontainers/kafka needs a confluentinc/cp-kafka image ` +
            `tagged with a version >= ${MIN_CP_KAFKA.join('.')}`,
          `use a mirror of ${spec.ref} that keeps its version tag, or unset ${spec.env}`,
        );
      }
    }
    out[name] = override;
  }
  return out;
}

/** Versions for reports: the pinned program version, or the overriding image itself. */
export function imageVersions(images: Record<ImageName, string>): Record<string, string> {
  const label: Record<ImageName, string> = {
    postgres: 'postgres',
    kafka: 'kafka',
    connect: 'debezium',
    elasticsearch: 'elasticsearch',
    toxiproxy: 'toxiproxy',
  };
  const out: Record<string, string> = {};
  for (const name of IMAGE_NAMES)
    out[label[name]] = images[name] === IMAGES[name].ref ? IMAGES[name].version : `image ${images[name]}`;
  return out;
}

/** Builds our sink plugin where the machine has no Maven: the JDK the plugin targets, and Maven. */
export const SINK_BUILD_IMAGE: ImageSpec = {
  ref: 'maven:3.9.9-eclipse-temurin-17',
  env: 'OUTBOX_CHAOS_IMAGE_MAVEN',
  version: '3.9.9',
};

export function sinkBuildImage(env: NodeJS.ProcessEnv = process.env): string {
  return env[SINK_BUILD_IMAGE.env]?.trim() || SINK_BUILD_IMAGE.ref;
}
