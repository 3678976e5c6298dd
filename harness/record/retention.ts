import { existsSync, lstatSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { reportsRoot } from './paths.ts';

/** How many run directories reports/ keeps: OUTBOX_CHAOS_KEEP_RUNS, else 50. */
export function keepRuns(): number {
  const env = process.env.OUTBOX_CHAOS_KEEP_RUNS;
  const n = env === undefined ? 50 : Number(env);
  return Number.isInteger(n) && n >= 1 ? n : 50;
}

/**
 * A run directory's name (runIdFor, and -N when another run took that name in the same second): its UTC start
 * stamp first, so names sort in start order.
 */
const RUN_DIR = /^\d{8}-\d{6}Z-.+-s-?\d+(-\d+)?$/;

/** A run that has no report yet and wrote its timeline lately may still be going, in another process. */
const IN_PROGRESS_MS = 15 * 60_000;

export interface Pruned {
  removed: string[];
  bytes: number;
  kept: number;
}

function sizeOf(path: string): number {
  const st = lstatSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((n, e) => n + sizeOf(join(path, e)), 0);
}

/**
 * Removes all but the newest `keep` run directories of `root`; never the one `latest` points at, never one
 * that looks in progress, never anything not named like a run (suites, JSON files, a user's own folders).
 */
export function pruneRuns(keep = keepRuns(), root = reportsRoot(), now = Date.now()): Pruned {
  if (!existsSync(root)) return { removed: [], bytes: 0, kept: 0 };
  const latest = join(root, 'latest');
  const pinned =
    existsSync(latest) && lstatSync(latest).isSymbolicLink() ? resolve(root, readlinkSync(latest)) : undefined;
  const runs = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && RUN_DIR.test(e.name))
    .map((e) => e.name)
    .sort();
  const old = runs.slice(0, Math.max(0, runs.length - keep));
  const out: Pruned = { removed: [], bytes: 0, kept: runs.length };
  for (const name of old) {
    const dir = join(root, name);
    if (dir === pinned) continue;
    const timeline = join(dir, 'timeline.jsonl');
    if (
      !existsSync(join(dir, 'report.json')) &&
      existsSync(timeline) &&
      now - statSync(timeline).mtimeMs < IN_PROGRESS_MS
    )
      continue;
    out.bytes += sizeOf(dir);
    rmSync(dir, { recursive: true, force: true });
    out.removed.push(dir);
    out.kept--;
  }
  return out;
}
