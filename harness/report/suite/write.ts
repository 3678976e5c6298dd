import { existsSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { mkdirPrivate, writePrivate } from '../../util/private-files.ts';
import { redactDeep } from '../../util/redact.ts';
import { join, relative } from 'node:path';
import { reportsRoot } from '../../record/paths.ts';
import { renderSuiteHtml } from './html.ts';
import { renderSuiteJunit } from './junit.ts';
import { renderSuiteMarkdown } from './markdown.ts';
import { buildSuite, type ShardRecord, type SuiteRecord, type SuiteRun, type SuiteSkip } from './model.ts';
import { trendsFor } from './trends.ts';

export type { SuiteRun, SuiteSkip } from './model.ts';

export const SUITE_FILES = {
  html: 'index.html',
  markdown: 'summary.md',
  junit: 'junit.xml',
  json: 'suite.json',
} as const;
/** reports/latest-suite points at the newest suite, as reports/latest does at the newest run. */
export const LATEST_SUITE = 'latest-suite';

export interface SuiteOptions {
  title: string;
  /** The command that made it (run, zoo, integration, compare); trends compare suites of one kind. */
  kind: string;
  /** Scenarios that could not run here, with the reason: listed, and skipped in junit.xml. */
  skipped?: readonly SuiteSkip[];
  /** Where suites go (and earlier ones are found); default reports/ (OUTBOX_CHAOS_REPORTS). */
  root?: string;
  now?: Date;
  /** A `run --shard i/n`'s share, kept in suite.json for `report --merge`. */
  shard?: ShardRecord;
}

/** What a suite record is made with: where it goes and what it is called. */
export interface SuiteMeta {
  id: string;
  title: string;
  kind: string;
  createdAt: string;
  dir: string;
}

function stamp(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .replace('T', '-');
}

/** Every suite.json directly under `root`, oldest first; unreadable ones are left out. */
export function readSuiteRecords(root: string = reportsRoot()): SuiteRecord[] {
  if (!existsSync(root)) return [];
  const out = new Map<string, SuiteRecord>();
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (!e.isDirectory()) continue; // also skips the latest-suite symlink
    const file = join(root, e.name, SUITE_FILES.json);
    if (!existsSync(file)) continue;
    try {
      const rec = JSON.parse(readFileSync(file, 'utf8')) as SuiteRecord;
      if (rec.schemaVersion === 1 && Array.isArray(rec.rows)) out.set(rec.id, rec);
    } catch {
      // A half-written or foreign file is no suite; the others still make the trends.
    }
  }
  return [...out.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** A fresh reports/suite-<time>-<kind>/ (never one that exists: two suites in one second get -2, -3 …). */
function suiteDir(root: string, kind: string, at: Date): { id: string; dir: string } {
  const base = `suite-${stamp(at)}-${kind.replace(/[^\w.-]+/g, '-')}`;
  for (let i = 1; ; i++) {
    const id = i === 1 ? base : `${base}-${i}`;
    const dir = join(root, id);
    if (!existsSync(dir)) return { id, dir };
  }
}

/**
 * Writes reports/<suite-id>/ — index.html (sortable, offline, with trends from the earlier suites under the
 * same root), summary.md, junit.xml (a testcase per scenario) and suite.json — points reports/latest-suite at
 * it and returns the directory. Every multi-run command calls this one function.
 */
export function writeSuite(runs: readonly SuiteRun[], o: SuiteOptions): string {
  return writeSuiteRecord(o, (meta) => buildSuite(runs.map(redactDeep), o.skipped ?? [], meta));
}

/** Writes a suite whose record `make` builds (from runs, or from other suites' rows: `report --merge`). */
export function writeSuiteRecord(o: SuiteOptions, make: (meta: SuiteMeta) => SuiteRecord): string {
  const root = o.root ?? reportsRoot();
  const at = o.now ?? new Date();
  const { id, dir } = suiteDir(root, o.kind, at);
  mkdirPrivate(dir);
  const suite = make({ id, title: o.title, kind: o.kind, createdAt: at.toISOString(), dir });
  if (o.shard) suite.shard = o.shard;
  const trends = trendsFor(suite, readSuiteRecords(root));
  writePrivate(join(dir, SUITE_FILES.json), `${JSON.stringify(suite, null, 2)}\n`);
  writePrivate(join(dir, SUITE_FILES.html), renderSuiteHtml(suite, trends));
  writePrivate(join(dir, SUITE_FILES.markdown), renderSuiteMarkdown(suite, trends));
  writePrivate(join(dir, SUITE_FILES.junit), renderSuiteJunit(suite));
  const latest = join(root, LATEST_SUITE);
  rmSync(latest, { force: true });
  symlinkSync(relative(root, dir), latest);
  return dir;
}
