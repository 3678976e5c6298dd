import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkMavenFile, expectedChecksum, repoPath, resolveKey, type TextFetcher } from './maven.ts';

const JAR = Buffer.from('PK\u0003\u0004 a jar, as Maven Central serves it');
const sha1 = (b: Buffer | string): string => createHash('sha1').update(b).digest('hex');
const REL = 'io/debezium/debezium-connector-postgres/3.6.1.Final/debezium-connector-postgres-3.6.1.Final.jar';

/** A local Maven repository holding the jar, with the .sha1 Maven stores next to it (unless `sidecar` is null). */
const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function localRepo(sidecar: string | null = sha1(JAR)): { file: string; copy: string } {
  const root = mkdtempSync(join(tmpdir(), 'outbox-chaos-m2-'));
  roots.push(root);
  const file = join(root, 'repository', REL);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, JAR);
  if (sidecar !== null) writeFileSync(`${file}.sha1`, sidecar);
  const copy = join(root, 'copy.jar');
  writeFileSync(copy, JAR);
  return { file, copy };
}

const offline: TextFetcher = async () => {
  throw new Error('no network in unit tests');
};

describe('verifying what is copied out of the local Maven repository', () => {
  it('accepts a copy that matches the .sha1 Maven stored next to the original, without the network', async () => {
    const { file, copy } = localRepo();
    expect(await checkMavenFile(copy, file, REL, { fetchText: offline })).toBeUndefined();
  });

  it('reads a .sha1 in the "<hash>  <file name>" form too', async () => {
    const { file, copy } = localRepo(`${sha1(JAR).toUpperCase()}  debezium-connector-postgres-3.6.1.Final.jar\n`);
    expect(await checkMavenFile(copy, file, REL, { fetchText: offline })).toBeUndefined();
  });

  it(
    'rejects a truncated copy (as a damaged local-repository file gives), ' +
      'naming both checksums and where the expected one came from',
    async () => {
      const { file, copy } = localRepo();
      writeFileSync(copy, JAR.subarray(0, 10));
      const problem = await checkMavenFile(copy, file, REL, { fetchText: offline });
      expect(problem).toBe(`sha1 ${sha1(JAR.subarray(0, 10))} ≠ ${sha1(JAR)} (${file}.sha1)`);
    },
  );

  it('asks Maven Central for the published .sha1 when the local repository has none', async () => {
    const { file, copy } = localRepo(null);
    const asked: string[] = [];
    const central: TextFetcher = async (url) => {
      asked.push(url);
      return sha1(JAR);
    };
    expect(await expectedChecksum(file, REL, { fetchText: central })).toEqual({
      algorithm: 'sha1',
      hex: sha1(JAR),
      source: `https://repo.maven.apache.org/maven2/${REL}.sha1`,
    });
    expect(await checkMavenFile(copy, file, REL, { fetchText: central })).toBeUndefined();
    expect(asked).toEqual([
      `https://repo.maven.apache.org/maven2/${REL}.sha1`,
      `https://repo.maven.apache.org/maven2/${REL}.sha1`,
    ]);
  });

  it('refuses to vouch for a file nobody publishes a checksum for, or when Central is unreachable', async () => {
    const { file } = localRepo(null);
    await expect(expectedChecksum(file, REL, { fetchText: async () => undefined })).rejects.toMatchObject({
      name: 'EnvError',
      exitCode: 3,
      message: `cannot verify ${REL}: neither the local Maven repository nor Maven Central has a .sha1 for it`,
    });
    await expect(expectedChecksum(file, REL, { fetchText: offline })).rejects.toThrow(
      /is unreachable \(no network in unit tests\)/,
    );
  });

  it('checks a pinned sha256 instead, for an artifact Central publishes no checksum for', async () => {
    const { file, copy } = localRepo(null);
    const pin = createHash('sha256').update(JAR).digest('hex');
    expect(await checkMavenFile(copy, file, REL, { sha256: pin, fetchText: offline })).toBeUndefined();
    expect(await checkMavenFile(copy, file, REL, { sha256: '0'.repeat(64), fetchText: offline })).toMatch(
      /^sha256 [0-9a-f]{64} ≠ 0{64} \(pinned in MANIFEST\)$/,
    );
  });

  it('maps coordinates to repository paths and keys a request by everything in it', () => {
    expect(
      repoPath({ groupId: 'io.debezium', artifactId: 'debezium-connector-postgres', version: '3.6.1.Final' }),
    ).toBe(REL);
    expect(
      repoPath({
        groupId: 'org.elasticsearch.distribution.integ-test-zip',
        artifactId: 'elasticsearch',
        version: '9.2.0',
        type: 'zip',
      }),
    ).toBe('org/elasticsearch/distribution/integ-test-zip/elasticsearch/9.2.0/elasticsearch-9.2.0.zip');
    const deps = [{ groupId: 'g', artifactId: 'a', version: '1' }];
    expect(resolveKey(deps)).toBe(resolveKey(deps, []));
    expect(resolveKey(deps, ['org.slf4j'])).not.toBe(resolveKey(deps));
  });
});
