import { describe, expect, it } from 'vitest';
import { ConfigError } from '../util/errors.ts';
import {
  nonDefault,
  parseVersions,
  pickVersion,
  resolveComponent,
  resolveComponents,
  type Central,
} from './component-versions.ts';
import { MANIFEST } from './manifest.ts';
import { MAVEN_CENTRAL } from './maven.ts';

const meta = (...vs: string[]) =>
  `<metadata><versioning><versions>${vs.map((v) => `<version>${v}</version>`).join('')}` +
  '</versions></versioning></metadata>';

/** Central as a table of files: metadata texts and the paths it serves (everything else is a 404). */
function central(files: Record<string, string>, served: string[]): Central & { asked: string[] } {
  const asked: string[] = [];
  const rel = (url: string) => url.slice(MAVEN_CENTRAL.length + 1);
  return {
    asked,
    text: async (url) => {
      asked.push(rel(url));
      return files[rel(url)];
    },
    exists: async (url) => {
      asked.push(rel(url));
      return served.includes(rel(url));
    },
  };
}

const DBZ = 'io/debezium/debezium-connector-postgres';
const dbzJar = (v: string) => `${DBZ}/${v}/debezium-connector-postgres-${v}.jar`;
const ES = 'org/elasticsearch/distribution/integ-test-zip/elasticsearch';
const esZip = (v: string) => `${ES}/${v}/elasticsearch-${v}.zip`;

describe('--versions entries', () => {
  it('take postgres=N and Debezium, Kafka, Elasticsearch versions or patterns, repeated or comma-separated', () => {
    expect(parseVersions([])).toEqual({});
    expect(parseVersions(['postgres=17'])).toEqual({ postgres: '17' });
    expect(parseVersions(['postgres=16,postgres=16'])).toEqual({ postgres: '16' });
    expect(parseVersions(['debezium=3.4.x.Final,kafka=3.9.1', 'elasticsearch=8.19.x'])).toEqual({
      debezium: '3.4.x.Final',
      kafka: '3.9.1',
      elasticsearch: '8.19.x',
    });
  });

  it('refuse an unknown component, a malformed entry or version, and a component named twice', () => {
    expect(() => parseVersions(['zookeeper=3.9'])).toThrow(
      /no component zookeeper; .*postgres, opensearch, debezium, kafka/,
    );
    expect(() => parseVersions(['postgres=12'])).toThrow(/the ones that exist are 14, 15, 16, 17, 18/);
    expect(() => parseVersions(['postgres'])).toThrow(/expected component=version/);
    expect(() => parseVersions(['kafka=latest'])).toThrow(/kafka=latest: not a version/);
    expect(() => parseVersions(['kafka=4.0.0', 'kafka=4.1.0'])).toThrow(/names kafka twice/);
    expect(() => parseVersions(['postgres=15', 'postgres=17'])).toThrow(ConfigError);
  });
});

describe('picking a version from the listing', () => {
  const listed = ['1.9.7.Final', '2.7.4.Final', '3.4.2.Final', '3.4.3.Final', '3.6.1.Final'];
  it('resolves exact versions and patterns at or above the supported floor', () => {
    expect(pickVersion('debezium', '3.4.x.Final', listed)).toBe('3.4.3.Final');
    expect(pickVersion('debezium', '2.7.4.Final', listed)).toBe('2.7.4.Final');
  });

  it('refuses an unknown version naming the nearest, and one below the floor saying why', () => {
    expect(() => pickVersion('debezium', '3.4.9.Final', listed)).toThrow(
      /no debezium version 3\.4\.9\.Final; the nearest that exist: 3\.4\.2\.Final, 3\.4\.3\.Final/,
    );
    expect(() => pickVersion('debezium', '3.8.x.Final', listed)).toThrow(/no debezium version matching 3\.8\.x/);
    expect(() => pickVersion('debezium', '1.9.7.Final', listed)).toThrow(/older than 2\.0\.0\.Final/);
  });
});

describe('resolving against Maven Central', () => {
  it("needs no lookup for the manifest's own pin (a stack runs offline on what the cache holds)", async () => {
    const c = central({}, []);
    await expect(resolveComponent('debezium', MANIFEST.debezium.version, c)).resolves.toBe(MANIFEST.debezium.version);
    expect(c.asked).toEqual([]);
  });

  it('takes the newest listed match that is served, passing over one that is listed but not served', async () => {
    const c = central({ [`${DBZ}/maven-metadata.xml`]: meta('3.4.2.Final', '3.4.3.Final', '3.6.1.Final') }, [
      dbzJar('3.4.2.Final'),
    ]);
    await expect(resolveComponent('debezium', '3.4.x.Final', c)).resolves.toBe('3.4.2.Final');
    await expect(resolveComponent('debezium', '3.4.3.Final', c)).rejects.toThrow(/listed but not available/);
    await expect(resolveComponent('debezium', '3.5.0.Final', c)).rejects.toThrow(ConfigError);
  });

  it('a Kafka version needs both the broker and Connect artifacts listed', async () => {
    const K = 'org/apache/kafka';
    const c = central(
      {
        [`${K}/kafka_2.13/maven-metadata.xml`]: meta('3.9.0', '3.9.1', '4.0.0'),
        [`${K}/connect-runtime/maven-metadata.xml`]: meta('3.9.0', '4.0.0'),
      },
      ['3.9.0', '3.9.1', '4.0.0'].flatMap((v) => [
        `${K}/kafka_2.13/${v}/kafka_2.13-${v}.jar`,
        `${K}/connect-runtime/${v}/connect-runtime-${v}.jar`,
      ]),
    );
    await expect(resolveComponents({ kafka: '3.9.x' }, c)).resolves.toEqual({ kafka: '3.9.0' });
    await expect(resolveComponent('kafka', '3.2.0', c)).rejects.toThrow(/nearest that exist: 3\.9\.0, 4\.0\.0/);
  });

  it('an Elasticsearch version the metadata omits is taken when Central serves it with a checksum', async () => {
    const files = { [`${ES}/maven-metadata.xml`]: meta('8.19.4', '8.19.21') };
    const c = central(files, [esZip('9.1.0'), `${esZip('9.1.0')}.sha1`, esZip('9.0.0'), esZip('8.19.21')]);
    await expect(resolveComponent('elasticsearch', '9.1.0', c)).resolves.toBe('9.1.0');
    await expect(resolveComponent('elasticsearch', '9.0.0', c)).rejects.toThrow(/publishes no checksum/);
    await expect(resolveComponent('elasticsearch', '8.19.x', c)).rejects.toThrow(/8\.19\.21 is listed but not/);
    await expect(resolveComponent('elasticsearch', '7.17.0', c)).rejects.toThrow(/older than 8\.0\.0|no elastic/);
  });
});

describe('the versions a stack runs', () => {
  it('name the components at a version other than the manifest (for a replay command)', () => {
    expect(nonDefault({ debezium: MANIFEST.debezium.version, kafka: '3.9.1', postgres: '17.10' })).toEqual({
      kafka: '3.9.1',
    });
  });
});
