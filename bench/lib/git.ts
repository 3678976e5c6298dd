import { execFileSync } from 'node:child_process';
import { isAbsolute, relative } from 'node:path';

/** Which code a figure was measured on: the commit, and whether the working tree matched it. */
export interface TreeState {
  /** HEAD's short hash; null outside a git checkout. */
  commit: string | null;
  /** True when nothing but the ignored paths differs from the commit; null outside a git checkout. */
  clean: boolean | null;
  /** `git status --porcelain` lines of what differs (at most 20), when not clean. */
  changes: string[];
}

const MAX_CHANGES = 20;

/**
 * The changed paths of `git status --porcelain` output, without the ignored ones: the benchmark's own outputs
 * (the record, the page its table is generated into) do not make the measured code dirty.
 */
export function changedPaths(porcelain: string, ignore: readonly string[]): string[] {
  return porcelain
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .filter((line) => {
      // "XY path" or "XY old -> new" (renames): the path that now exists is the last one.
      const path = line.slice(3).split(' -> ').pop()!.replace(/^"|"$/g, '');
      return !ignore.includes(path);
    });
}

function git(root: string, args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

/** The tree `root` is checked out at; `ignore` are absolute or root-relative paths left out of the check. */
export function treeState(root: string, ignore: readonly string[] = []): TreeState {
  let commit: string;
  let porcelain: string;
  try {
    commit = git(root, ['rev-parse', '--short=10', 'HEAD']).trim();
    porcelain = git(root, ['status', '--porcelain', '--untracked-files=all']);
  } catch {
    return { commit: null, clean: null, changes: [] };
  }
  const changes = changedPaths(
    porcelain,
    ignore.map((p) => (isAbsolute(p) ? relative(root, p) : p)),
  );
  return { commit, clean: changes.length === 0, changes: changes.slice(0, MAX_CHANGES) };
}
