import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { EnvError } from '../util/errors.ts';
import { exec, tail } from '../util/exec.ts';

export interface Coord {
  groupId: string;
  artifactId: string;
  version: string;
  type?: string;
}

const MVN_FIX =
  'check that `mvn -v` works and that Maven Central is reachable (proxy settings in ~/.m2/settings.xml)';

function pom(deps: Coord[]): string {
  const items = deps
    .map(
      (d) =>
        `<dependency><groupId>${d.groupId}</groupId><artifactId>${d.artifactId}</artifactId>` +
        `<version>${d.version}</version>${d.type ? `<type>${d.type}</type>` : ''}</dependency>`,
    )
    .join('\n    ');
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>outbox-chaos.provision</groupId><artifactId>resolve</artifactId><version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    ${items}
  </dependencies>
</project>
`;
}

export async function mvn(args: string[], cwd: string, what: string): Promise<void> {
  const r = await exec('mvn', ['-B', '-q', ...args], { cwd });
  if (r.code !== 0) {
    const out = `${r.stdout}\n${r.stderr}`;
    const unreachable = /UnknownHost|Connection refused|Could not transfer|Network is unreachable|timed out/i.test(out);
    throw new EnvError(
      unreachable ? `${what}: Maven Central is unreachable` : `${what}: mvn ${args[0]} failed (exit ${r.code})`,
      MVN_FIX,
      tail(out, 20),
    );
  }
}

/**
 * Resolves `deps` with their runtime closure and copies the jars into `dir`. Idempotent: a marker holding
 * the hash of the request makes a second call free; a changed request re-resolves into a fresh directory.
 */
export async function resolveInto(
  dir: string,
  deps: Coord[],
  opts: { excludeGroupIds?: string[] } = {},
): Promise<boolean> {
  const spec = JSON.stringify({ deps, opts });
  const hash = createHash('sha256').update(spec).digest('hex').slice(0, 16);
  const marker = join(dir, '.resolved');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === hash) return false;
  const work = `${dir}.tmp`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'pom.xml'), pom(deps));
  const args = ['dependency:copy-dependencies', `-DoutputDirectory=lib`, '-DincludeScope=runtime'];
  if (opts.excludeGroupIds?.length) args.push(`-DexcludeGroupIds=${opts.excludeGroupIds.join(',')}`);
  await mvn(args, work, `resolving ${deps.map((d) => `${d.artifactId}:${d.version}`).join(', ')}`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(join(work, 'lib'), dir);
  rmSync(work, { recursive: true, force: true });
  writeFileSync(marker, hash);
  return true;
}

/** Fetches one artifact (no dependencies) from Maven Central into `dir` and returns its path. */
export async function fetchArtifact(c: Coord & { type: string }, dir: string): Promise<string> {
  const path = join(dir, `${c.artifactId}-${c.version}.${c.type}`);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  await mvn(
    ['dependency:copy', `-Dartifact=${c.groupId}:${c.artifactId}:${c.version}:${c.type}`, `-DoutputDirectory=${dir}`],
    dir,
    `fetching ${c.groupId}:${c.artifactId}:${c.version}`,
  );
  if (!existsSync(path)) throw new EnvError(`fetched ${c.artifactId} but ${path} is missing`, MVN_FIX);
  return path;
}
