import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { EnvError } from '../util/errors.ts';
import { listFiles } from '../util/files.ts';
import { warn } from '../util/log.ts';

/**
 * The integrity record of every cached artifact (a directory or a single file). It sits next to the artifact
 * (`<artifact>.verified.json`), not inside it: a Connect plugin.path entry ignores a plain file but would load
 * any directory, and tests and `cp -al` mirrors see only the artifact's own files.
 */
export const RECORD_SUFFIX = '.verified.json';

export interface FileRecord {
  /** Relative to the artifact directory; the file's own name for a single-file artifact. */
  path: string;
  size: number;
  mtimeMs: number;
  sha256: string;
}

export interface CacheRecord {
  format: 1;
  /** What the artifact was made from (versions, a request hash): a different key means a different artifact. */
  key: string;
  kind: 'dir' | 'file';
  files: FileRecord[];
}

/** A cache entry: where it lives, and the key its record must carry (what it is made from). */
export interface CachedArtifact {
  name: string;
  path: string;
  key: string;
}

export type ArtifactState = 'ok' | 'missing' | 'unverified' | 'damaged';

export interface ArtifactCheck {
  state: ArtifactState;
  reason?: string;
  /** What had to be read to decide: nothing at all while sizes and mtimes match the record. */
  hashed: { files: number; bytes: number };
}

export function recordPath(artifact: string): string {
  return `${artifact}${RECORD_SUFFIX}`;
}

export function hashFile(path: string, algorithm = 'sha256'): string {
  const h = createHash(algorithm);
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/** Regular files under `dir`, relative and sorted. Symlinks are not followed (the artifacts we cache have none). */
function fileAt(artifact: string, rec: CacheRecord, rel: string): string {
  return rec.kind === 'file' ? artifact : join(artifact, rel);
}

function writeRecord(artifact: string, rec: CacheRecord): void {
  const tmp = `${recordPath(artifact)}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(rec, null, 1)}\n`);
  renameSync(tmp, recordPath(artifact));
}

/** Hashes every file of a finished artifact and writes its record (written aside and renamed: never half a record). */
export function recordArtifact(artifact: string, key: string): CacheRecord {
  const kind = statSync(artifact).isDirectory() ? 'dir' : 'file';
  const rels = kind === 'dir' ? listFiles(artifact) : [basename(artifact)];
  const rec: CacheRecord = { format: 1, key, kind, files: [] };
  for (const rel of rels) {
    const p = kind === 'dir' ? join(artifact, rel) : artifact;
    const st = statSync(p);
    rec.files.push({ path: rel, size: st.size, mtimeMs: st.mtimeMs, sha256: hashFile(p) });
  }
  writeRecord(artifact, rec);
  return rec;
}

function readRecord(artifact: string): CacheRecord | undefined {
  try {
    const rec = JSON.parse(readFileSync(recordPath(artifact), 'utf8')) as CacheRecord;
    return rec.format === 1 && Array.isArray(rec.files) ? rec : undefined;
  } catch {
    return undefined; // none, or itself damaged: either way nothing vouches for the artifact
  }
}

/**
 * Checks a cached artifact against its record with stat calls only; a file is re-hashed only when its size
 * matches but its mtime does not (a copy, a touch, or an in-place edit). A changed hash, a missing file or an
 * extra jar (it would join a classpath or plugin) makes the artifact damaged. When a re-hash proves a file
 * unchanged, the record takes the new mtime (`refresh`), so the next check is stat-only again.
 */
export function checkArtifact(artifact: string, key: string, opts: { refresh?: boolean } = {}): ArtifactCheck {
  const hashed = { files: 0, bytes: 0 };
  if (!existsSync(artifact)) return { state: 'missing', reason: 'not in the cache', hashed };
  const rec = readRecord(artifact);
  if (!rec) return { state: 'unverified', reason: `no integrity record (${basename(recordPath(artifact))})`, hashed };
  if (rec.key !== key)
    return { state: 'missing', reason: `the cached one was made from ${rec.key}, this needs ${key}`, hashed };
  const problems: string[] = [];
  let refreshed = false;
  for (const f of rec.files) {
    const p = fileAt(artifact, rec, f.path);
    let st;
    try {
      st = statSync(p);
    } catch {
      problems.push(`${f.path}: missing`);
      continue;
    }
    if (st.size !== f.size) {
      problems.push(`${f.path}: size ${st.size} ≠ recorded ${f.size}`);
      continue;
    }
    if (st.mtimeMs === f.mtimeMs) continue;
    let sha: string;
    try {
      sha = hashFile(p);
    } catch (err) {
      problems.push(`${f.path}: unreadable (${(err as Error).message})`);
      continue;
    }
    hashed.files++;
    hashed.bytes += st.size;
    if (sha !== f.sha256)
      problems.push(
        `${f.path}: content differs from the record (sha256 ${sha.slice(0, 12)}… ≠ ${f.sha256.slice(0, 12)}…)`,
      );
    else {
      f.mtimeMs = st.mtimeMs;
      refreshed = true;
    }
  }
  if (rec.kind === 'dir') {
    const known = new Set(rec.files.map((f) => f.path));
    for (const rel of listFiles(artifact))
      if (rel.endsWith('.jar') && !known.has(rel)) problems.push(`${rel}: extra jar, not in the record`);
  }
  if (problems.length) {
    const more = problems.length > 1 ? `; and ${problems.length - 1} more` : '';
    return { state: 'damaged', reason: `${problems[0]}${more}`, hashed };
  }
  if (refreshed && opts.refresh) {
    try {
      writeRecord(artifact, rec);
    } catch {
      /* a read-only cache: the next check re-hashes again, which is only slower */
    }
  }
  return { state: 'ok', hashed };
}

export interface EnsureOptions {
  /** Where work-in-progress lives until it is complete: outside any plugin.path entry (Connect would load it). */
  tmpRoot: string;
  /** Re-make the artifact even if it checks out. */
  force?: boolean;
  /** How to say what making it means: 'fetching' or 'building'. */
  verb?: string;
}

/** Removes what crashed runs left in a work directory: entries named `<name>-<pid>[.<suffix>]` whose pid is gone. */
export function removeStaleTemps(tmpRoot: string): void {
  if (!existsSync(tmpRoot)) return;
  for (const name of readdirSync(tmpRoot)) {
    const pid = Number(/-(\d+)(?:\.\w+)?$/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH')
        rmSync(join(tmpRoot, name), { recursive: true, force: true });
    }
  }
}

/**
 * The one way an artifact enters the cache: used as it is only if its record vouches for it; otherwise `make`
 * writes it under a temporary name, which is renamed into place once complete, and then recorded. So an
 * interrupted fetch, a full disk or a failed build never leaves something that passes for a finished artifact.
 * Returns true when it was (re)made.
 */
export async function ensureArtifact(
  artifact: string,
  key: string,
  make: (tmp: string) => Promise<void>,
  opts: EnsureOptions,
): Promise<boolean> {
  const verb = opts.verb ?? 'fetching';
  if (!opts.force) {
    const c = checkArtifact(artifact, key, { refresh: true });
    if (c.state === 'ok') return false;
    if (c.state === 'damaged') warn(`cache: ${artifact} is damaged (${c.reason}); ${verb} it again`);
    if (c.state === 'unverified')
      warn(`cache: ${artifact} has ${c.reason}, made by an older outbox-chaos; ${verb} it again to verify it`);
  }
  mkdirSync(opts.tmpRoot, { recursive: true });
  const tmp = join(opts.tmpRoot, `${basename(artifact)}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    await make(tmp);
    if (!existsSync(tmp))
      throw new EnvError(
        `${verb} ${basename(artifact)} produced nothing at ${tmp}`,
        'see the output above; then run: outbox-chaos provision --force',
      );
    // The old record goes first: a crash before the new one is written leaves an unverified artifact, which
    // the next run makes again, never a stale record that vouches for the new files.
    rmSync(recordPath(artifact), { force: true });
    rmSync(artifact, { recursive: true, force: true });
    mkdirSync(dirname(artifact), { recursive: true });
    renameSync(tmp, artifact);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  recordArtifact(artifact, key);
  return true;
}
