import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, delimiter, join, relative } from 'node:path';
import { EnvError } from '../util/errors.ts';
import { exec, tail } from '../util/exec.ts';
import { warn } from '../util/log.ts';
import { ensureArtifact, hashFile } from './cache-manifest.ts';
import { cacheDir } from './paths.ts';

export interface Coord {
  groupId: string;
  artifactId: string;
  version: string;
  type?: string;
}

export const MAVEN_CENTRAL = 'https://repo.maven.apache.org/maven2';

/** Pinned, so what build-classpath prints does not depend on which version Maven happens to pick. */
const DEPENDENCY_PLUGIN = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

const MVN_FIX = 'check that `mvn -v` works and that Maven Central is reachable (proxy settings in ~/.m2/settings.xml)';

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

/**
 * Runs Maven. `-C` (strict checksums) makes a download whose checksum differs from the repository's fail
 * instead of being kept with a warning. It does nothing for a file already in the local repository, which
 * Maven trusts as it is: callers verify what they copy out of it (copyVerified).
 */
export async function mvn(
  args: string[],
  cwd: string,
  what: string,
  opts: { strictChecksums?: boolean } = {},
): Promise<void> {
  const strict = opts.strictChecksums ?? true;
  const r = await exec('mvn', ['-B', '-q', ...(strict ? ['-C'] : []), ...args], { cwd });
  if (r.code !== 0) {
    const out = `${r.stdout}\n${r.stderr}`;
    const unreachable = /UnknownHost|Connection refused|Could not transfer|Network is unreachable|timed out/i.test(out);
    const checksum = /Checksum validation failed/i.test(out);
    throw new EnvError(
      checksum
        ? `${what}: a download from Maven Central failed its checksum check`
        : unreachable
          ? `${what}: Maven Central is unreachable`
          : `${what}: mvn ${args[0]} failed (exit ${r.code})`,
      checksum
        ? `${MVN_FIX}; a proxy or mirror may be serving damaged files. Then run: outbox-chaos provision --force`
        : MVN_FIX,
      tail(out, 20),
    );
  }
}

/** The path of an artifact in a Maven repository (local or remote). */
export function repoPath(c: Coord): string {
  return (
    `${c.groupId.replaceAll('.', '/')}/${c.artifactId}/${c.version}/` +
    `${c.artifactId}-${c.version}.${c.type ?? 'jar'}`
  );
}

/** Fetches a text file; undefined when the server has none (404). */
export type TextFetcher = (url: string) => Promise<string | undefined>;

const fetchFromCentral: TextFetcher = async (url) => {
  const r = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  if (r.status === 404) return undefined;
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  return r.text();
};

export interface Expected {
  algorithm: 'sha1' | 'sha256';
  hex: string;
  source: string;
}

function sha1In(text: string | undefined): string | undefined {
  return /^\s*([0-9a-fA-F]{40})\b/.exec(text ?? '')?.[1]?.toLowerCase();
}

/**
 * The checksum a file of the local Maven repository must have: a pinned sha256 (for artifacts Maven Central
 * publishes no checksum for), else the .sha1 Maven stored next to it when it downloaded it (no network),
 * else the published .sha1 on Maven Central.
 */
export async function expectedChecksum(
  localFile: string,
  rel: string,
  opts: { sha256?: string; fetchText?: TextFetcher } = {},
): Promise<Expected> {
  if (opts.sha256) return { algorithm: 'sha256', hex: opts.sha256.toLowerCase(), source: 'pinned in MANIFEST' };
  const side = `${localFile}.sha1`;
  const local = existsSync(side) ? sha1In(readFileSync(side, 'utf8')) : undefined;
  if (local) return { algorithm: 'sha1', hex: local, source: side };
  const url = `${MAVEN_CENTRAL}/${rel}.sha1`;
  let text: string | undefined;
  try {
    text = await (opts.fetchText ?? fetchFromCentral)(url);
  } catch (err) {
    throw new EnvError(
      `cannot verify ${rel}: no .sha1 next to it in the local Maven repository, ` +
        `and ${url} is unreachable (${(err as Error).message})`,
      'make https://repo.maven.apache.org reachable, then run: outbox-chaos provision',
    );
  }
  const published = sha1In(text);
  if (!published) {
    throw new EnvError(
      `cannot verify ${rel}: neither the local Maven repository nor Maven Central has a .sha1 for it`,
      `remove ${localFile} so Maven downloads it again, then run: outbox-chaos provision`,
    );
  }
  return { algorithm: 'sha1', hex: published, source: url };
}

/**
 * Compares `file` with the checksum `localFile` (its original in the local repository) must have: the problem, or
 * undefined.
 */
export async function checkMavenFile(
  file: string,
  localFile: string,
  rel: string,
  opts: { sha256?: string; fetchText?: TextFetcher } = {},
): Promise<string | undefined> {
  const want = await expectedChecksum(localFile, rel, opts);
  const got = hashFile(file, want.algorithm);
  return got === want.hex ? undefined : `${want.algorithm} ${got} ≠ ${want.hex} (${want.source})`;
}

/**
 * Resolves `deps` (with their runtime closure unless excludeTransitive) into the local Maven repository and
 * copies the files flat into `into`, each verified against its checksum. A damaged local-repository file
 * (Maven would hand it out as it is) is removed so that Maven downloads it again, once, with -C.
 */
async function copyVerified(
  deps: Coord[],
  into: string,
  opts: { excludeGroupIds?: string[]; excludeTransitive?: boolean; pins?: Record<string, string> },
): Promise<void> {
  const what = `resolving ${deps.map((d) => `${d.artifactId}:${d.version}`).join(', ')}`;
  const work = `${into}.mvn`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'pom.xml'), pom(deps));
  const listing = join(work, 'classpath.txt');
  const args = [`${DEPENDENCY_PLUGIN}:build-classpath`, `-Dmdep.outputFile=${listing}`, '-DincludeScope=runtime'];
  if (opts.excludeGroupIds?.length) args.push(`-DexcludeGroupIds=${opts.excludeGroupIds.join(',')}`);
  if (opts.excludeTransitive) args.push('-DexcludeTransitive=true');
  try {
    for (let attempt = 1; ; attempt++) {
      // A pinned artifact is pinned because Central publishes no checksum for it, which -C would refuse.
      await mvn(args, work, what, { strictChecksums: !opts.pins });
      const files = readFileSync(listing, 'utf8').trim().split(delimiter).filter(Boolean);
      const root = localRepository(files, deps);
      rmSync(into, { recursive: true, force: true });
      mkdirSync(into, { recursive: true });
      const damaged: { file: string; problem: string }[] = [];
      for (const file of files) {
        const rel = relative(root, file);
        const copy = join(into, basename(file));
        copyFileSync(file, copy);
        const problem = await checkMavenFile(copy, file, rel, { sha256: opts.pins?.[rel] });
        if (problem) damaged.push({ file, problem });
      }
      if (!damaged.length) return;
      if (attempt > 1) {
        throw new EnvError(
          `${what}: ${damaged[0]?.file} still fails its checksum after downloading it again: ${damaged[0]?.problem}`,
          'a proxy or mirror (~/.m2/settings.xml) may be serving a different file: ' +
            'check it, then run: outbox-chaos provision --force',
        );
      }
      for (const d of damaged) {
        warn(`local Maven repository: ${d.file} is damaged (${d.problem}); removing it so Maven downloads it again`);
        rmSync(d.file, { force: true });
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The local repository's root, from where the first requested artifact sits in it. */
function localRepository(files: string[], deps: Coord[]): string {
  const first = deps[0];
  const rel = first ? repoPath(first) : '';
  const hit = files.find((f) => f.endsWith(`/${rel}`));
  if (!first || !hit) throw new EnvError(`Maven resolved no ${rel} (classpath: ${files.length} files)`, MVN_FIX);
  return hit.slice(0, hit.length - rel.length - 1);
}

/** The key a resolution is cached by: a changed request re-resolves. */
export function resolveKey(deps: Coord[], excludeGroupIds: string[] = []): string {
  const spec = JSON.stringify({ deps, excludeGroupIds });
  return `maven:${createHash('sha256').update(spec).digest('hex').slice(0, 16)}`;
}

/**
 * Resolves `deps` with their runtime closure and copies the verified jars into `dir`. Idempotent: while the
 * integrity record matches, a second call costs a few stat calls; a changed request, a damaged file or
 * `force` re-resolves. `tmpRoot` (default: the cache's .tmp) must be on the same filesystem as `dir`.
 */
export async function resolveInto(
  dir: string,
  deps: Coord[],
  opts: { excludeGroupIds?: string[]; force?: boolean; tmpRoot?: string } = {},
): Promise<boolean> {
  const { excludeGroupIds, force } = opts;
  return ensureArtifact(dir, resolveKey(deps, excludeGroupIds), (tmp) => copyVerified(deps, tmp, { excludeGroupIds }), {
    tmpRoot: opts.tmpRoot ?? join(cacheDir(), '.tmp'),
    force,
  });
}

/**
 * Fetches one artifact (no dependencies) from Maven Central into `dir`, verified (against `sha256` when
 * given, else its .sha1), and returns its path. Written under a temporary name and renamed when complete.
 */
export async function fetchArtifact(
  c: Coord & { type: string },
  dir: string,
  opts: { sha256?: string } = {},
): Promise<string> {
  const path = join(dir, `${c.artifactId}-${c.version}.${c.type}`);
  const work = join(dir, `.tmp-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    await copyVerified([c], work, {
      excludeTransitive: true,
      pins: opts.sha256 ? { [repoPath(c)]: opts.sha256 } : undefined,
    });
    const got = join(work, basename(path));
    if (!existsSync(got)) throw new EnvError(`fetched ${c.artifactId} but ${got} is missing`, MVN_FIX);
    renameSync(got, path);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return path;
}
