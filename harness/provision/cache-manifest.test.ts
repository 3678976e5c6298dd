import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkArtifact, ensureArtifact, recordArtifact, recordPath, removeStaleTemps } from './cache-manifest.ts';

let root: string;
let plugin: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'outbox-chaos-manifest-'));
  plugin = join(root, 'plugins', 'p-1', 'plugin');
  mkdirSync(join(plugin, 'sub'), { recursive: true });
  writeFileSync(join(plugin, 'connector.jar'), 'x'.repeat(4567));
  writeFileSync(join(plugin, 'sub', 'dep.jar'), 'dependency bytes');
});

afterEach(() => {
  vi.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

/** Moves a file's mtime, as a copy, a touch or an in-place edit would. */
function bumpMtime(p: string): void {
  const t = statSync(p).mtime.getTime() / 1000 + 100;
  utimesSync(p, t, t);
}

describe('the integrity record of a cached artifact', () => {
  it('records every file next to the artifact, and an unchanged artifact checks out without hashing anything', () => {
    const rec = recordArtifact(plugin, 'k1');
    expect(rec.files.map((f) => f.path)).toEqual(['connector.jar', 'sub/dep.jar']);
    expect(rec.files[0]).toMatchObject({ size: 4567, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // Next to the plugin directory, not inside it (Connect would take a directory there for a plugin).
    expect(existsSync(recordPath(plugin))).toBe(true);
    expect(readdirSync(plugin).sort()).toEqual(['connector.jar', 'sub']);
    expect(checkArtifact(plugin, 'k1')).toEqual({ state: 'ok', hashed: { files: 0, bytes: 0 } });
  });

  it('calls a truncated file damaged from its size alone', () => {
    recordArtifact(plugin, 'k1');
    truncateSync(join(plugin, 'connector.jar'), 1000);
    const c = checkArtifact(plugin, 'k1');
    expect(c.state).toBe('damaged');
    expect(c.reason).toBe('connector.jar: size 1000 ≠ recorded 4567');
    expect(c.hashed.files).toBe(0);
  });

  it('re-hashes a file whose mtime changed, catching a same-size edit', () => {
    recordArtifact(plugin, 'k1');
    const p = join(plugin, 'connector.jar');
    writeFileSync(p, 'y'.repeat(4567));
    bumpMtime(p);
    const c = checkArtifact(plugin, 'k1');
    expect(c.state).toBe('damaged');
    expect(c.reason).toMatch(/^connector\.jar: content differs from the record/);
    expect(c.hashed).toEqual({ files: 1, bytes: 4567 });
  });

  it('accepts a touched but unchanged file after one re-hash, and records its new mtime', () => {
    recordArtifact(plugin, 'k1');
    bumpMtime(join(plugin, 'connector.jar'));
    expect(checkArtifact(plugin, 'k1', { refresh: true })).toEqual({ state: 'ok', hashed: { files: 1, bytes: 4567 } });
    expect(checkArtifact(plugin, 'k1')).toEqual({ state: 'ok', hashed: { files: 0, bytes: 0 } });
  });

  it('calls a missing file or an extra jar damaged, and ignores an extra non-jar file', () => {
    recordArtifact(plugin, 'k1');
    writeFileSync(join(plugin, 'README.txt'), 'notes');
    expect(checkArtifact(plugin, 'k1').state).toBe('ok');
    writeFileSync(join(plugin, 'sub', 'stray.jar'), 'old version');
    expect(checkArtifact(plugin, 'k1')).toMatchObject({
      state: 'damaged',
      reason: 'sub/stray.jar: extra jar, not in the record',
    });
    rmSync(join(plugin, 'sub', 'stray.jar'));
    rmSync(join(plugin, 'sub', 'dep.jar'));
    expect(checkArtifact(plugin, 'k1')).toMatchObject({ state: 'damaged', reason: 'sub/dep.jar: missing' });
    // Two problems: the reason names the first and counts the rest.
    truncateSync(join(plugin, 'connector.jar'), 0);
    const c = checkArtifact(plugin, 'k1');
    expect(c.state).toBe('damaged');
    expect(c.reason).toMatch(/^connector\.jar: size 0 ≠ recorded 4567; and 1 more$/);
  });

  it(
    'reports a missing artifact, one without a record (or with a damaged record), ' + 'and one made for another key',
    () => {
      expect(checkArtifact(join(root, 'nothing'), 'k1').state).toBe('missing');
      expect(checkArtifact(plugin, 'k1')).toMatchObject({
        state: 'unverified',
        reason: 'no integrity record (plugin.verified.json)',
      });
      writeFileSync(recordPath(plugin), '{"format":1,"fi');
      expect(checkArtifact(plugin, 'k1').state).toBe('unverified');
      recordArtifact(plugin, 'k1');
      expect(checkArtifact(plugin, 'k2')).toMatchObject({
        state: 'missing',
        reason: 'the cached one was made from k1, this needs k2',
      });
    },
  );

  it('records a single-file artifact (a binary) the same way', () => {
    const bin = join(root, 'bin', 'server');
    mkdirSync(join(root, 'bin'));
    writeFileSync(bin, 'ELF binary');
    recordArtifact(bin, 'v1');
    expect(JSON.parse(readFileSync(recordPath(bin), 'utf8'))).toMatchObject({
      kind: 'file',
      files: [{ path: 'server', size: 10 }],
    });
    expect(checkArtifact(bin, 'v1').state).toBe('ok');
    truncateSync(bin, 3);
    expect(checkArtifact(bin, 'v1')).toMatchObject({ state: 'damaged', reason: 'server: size 3 ≠ recorded 10' });
  });
});

describe('putting an artifact into the cache', () => {
  const tmpRoot = (): string => join(root, '.tmp');
  const target = (): string => join(root, 'plugins', 'p-2', 'plugin');

  it('leaves nothing behind when making it fails half-way: no half file, no record, no work dir', async () => {
    await expect(
      ensureArtifact(
        target(),
        'k1',
        async (tmp) => {
          mkdirSync(tmp);
          writeFileSync(join(tmp, 'half.jar'), 'half');
          throw new Error('disk full');
        },
        { tmpRoot: tmpRoot() },
      ),
    ).rejects.toThrow('disk full');
    expect(existsSync(target())).toBe(false);
    expect(existsSync(recordPath(target()))).toBe(false);
    expect(readdirSync(tmpRoot())).toEqual([]);
  });

  it('renames a finished artifact into place and records it; the next call uses it as it is', async () => {
    let makes = 0;
    const make = async (tmp: string): Promise<void> => {
      makes++;
      mkdirSync(tmp);
      writeFileSync(join(tmp, 'a.jar'), 'complete jar');
    };
    expect(await ensureArtifact(target(), 'k1', make, { tmpRoot: tmpRoot() })).toBe(true);
    expect(readdirSync(target())).toEqual(['a.jar']);
    expect(await ensureArtifact(target(), 'k1', make, { tmpRoot: tmpRoot() })).toBe(false);
    expect(makes).toBe(1);
    // force makes it again even though it checks out.
    expect(await ensureArtifact(target(), 'k1', make, { tmpRoot: tmpRoot(), force: true })).toBe(true);
    expect(makes).toBe(2);
  });

  it('says a damaged artifact is damaged, never uses it, and makes it again', async () => {
    const make = async (tmp: string): Promise<void> => {
      mkdirSync(tmp);
      writeFileSync(join(tmp, 'a.jar'), 'complete jar');
    };
    await ensureArtifact(target(), 'k1', make, { tmpRoot: tmpRoot() });
    truncateSync(join(target(), 'a.jar'), 4);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await ensureArtifact(target(), 'k1', make, { tmpRoot: tmpRoot() })).toBe(true);
    expect(stderr).toHaveBeenCalledWith(
      `warning: cache: ${target()} is damaged (a.jar: size 4 ≠ recorded 12); fetching it again\n`,
    );
    expect(readFileSync(join(target(), 'a.jar'), 'utf8')).toBe('complete jar');
    expect(checkArtifact(target(), 'k1').state).toBe('ok');
  });

  it('makes an old-style entry (no record) again, once', async () => {
    mkdirSync(target(), { recursive: true });
    writeFileSync(join(target(), 'a.jar'), 'cached by an older version');
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let makes = 0;
    const make = async (tmp: string): Promise<void> => {
      makes++;
      mkdirSync(tmp);
      writeFileSync(join(tmp, 'a.jar'), 'verified');
    };
    await ensureArtifact(target(), 'k1', make, { tmpRoot: tmpRoot() });
    await ensureArtifact(target(), 'k1', make, { tmpRoot: tmpRoot() });
    expect(makes).toBe(1);
  });

  it('removes work dirs of crashed runs, not those of live processes', () => {
    for (const name of ['lib-999999999', 'lib-999999999.mvn', `lib-${process.pid}`, 'notes'])
      mkdirSync(join(tmpRoot(), name), { recursive: true });
    removeStaleTemps(tmpRoot());
    expect(readdirSync(tmpRoot()).sort()).toEqual([`lib-${process.pid}`, 'notes']);
  });
});
