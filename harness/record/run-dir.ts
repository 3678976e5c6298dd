import { createReadStream, existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { appendPrivate, mkdirPrivate, writePrivate } from '../util/private-files.ts';
import { redactDeep } from '../util/redact.ts';
import { reportsRoot } from './paths.ts';
import { keepRuns, pruneRuns } from './retention.ts';
import type { TimelineEvent } from './timeline.ts';

/**
 * reports/<run-id>/ with everything needed to re-check and re-render the run; reports/latest points at it.
 * The directory is this run's alone: a run of the same scenario and seed that started in the same second (on
 * another stack) has it already, and this one gets `<run-id>-2` (then -3, …). Older runs beyond the newest
 * OUTBOX_CHAOS_KEEP_RUNS (50) are removed, so the disk stays bounded.
 */
export function createRunDir(baseId: string): { runId: string; dir: string } {
  const root = reportsRoot();
  mkdirPrivate(root);
  let runId = baseId;
  for (let n = 2; ; n++) {
    try {
      mkdirSync(join(root, runId), { mode: 0o700 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      runId = `${baseId}-${n}`;
    }
  }
  const dir = join(root, runId);
  mkdirPrivate(dir);
  mkdirPrivate(join(dir, 'logs'));
  const latest = join(root, 'latest');
  rmSync(latest, { force: true });
  symlinkSync(relative(root, dir), latest);
  pruneRuns(keepRuns(), root);
  return { runId, dir };
}

export function runIdFor(scenario: string, seed: number, at = new Date()): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .replace('T', '-');
  return `${stamp}-${scenario}-s${seed}`;
}

/** Append-only timeline.jsonl; written synchronously (a handful of events) so a crash loses none. */
export class Timeline {
  readonly events: TimelineEvent[] = [];
  constructor(private readonly path: string) {}

  record = (e: TimelineEvent): void => {
    this.events.push(e);
    appendPrivate(this.path, `${JSON.stringify(redactDeep(e))}\n`);
  };
}

/** Remembers the service logs' sizes so the run directory gets exactly the part written during the run. */
export function markLogs(logDir: string): Map<string, number> {
  const marks = new Map<string, number>();
  // Every service's log: a single stack's five, a cluster's members (kafka-1.log, connect-2.log, …).
  const names = existsSync(logDir)
    ? readdirSync(logDir)
        .filter((f) => f.endsWith('.log'))
        .map((f) => f.slice(0, -4))
    : [];
  for (const name of names) {
    const f = join(logDir, `${name}.log`);
    marks.set(f, existsSync(f) ? statSync(f).size : 0);
  }
  return marks;
}

/**
 * Copies each service log's part written during the run, every configured secret value in it masked (the
 * services log their connectors' configs and errors; docs/secrets.md).
 */
export async function copyLogSlices(marks: Map<string, number>, runDir: string): Promise<void> {
  for (const [file, from] of marks) {
    if (!existsSync(file)) continue;
    const out = join(runDir, 'logs', basename(file));
    const chunks: Buffer[] = [];
    for await (const c of createReadStream(file, { start: from })) chunks.push(c as Buffer);
    writePrivate(out, Buffer.concat(chunks).toString('utf8'));
  }
}
