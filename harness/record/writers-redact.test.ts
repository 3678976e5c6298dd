import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mask, registerConfigSecrets, resetSecrets } from '../util/redact.ts';
import { copyLogSlices, markLogs, Timeline } from './run-dir.ts';
import { writeSnapshot } from './snapshot-file.ts';

/**
 * The run directory's writers that no real input reaches in a healthy run (docs/secrets.md, "How it is
 * tested"): each is given text holding a registered secret value and a URL with userinfo, and must write
 * neither. Each fails when its own redaction is taken out.
 */
const PASSWORD = 'SinkPw-unit-7f3a';
const USERINFO = 'UrlUser-unit:UrlPw-unit-91c';
let dir = '';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'outbox-chaos-writers-'));
  registerConfigSecrets({
    'connection.password': PASSWORD,
    'connection.url': `http://${USERINFO}@127.0.0.1:9200`,
  });
});
afterEach(() => {
  resetSecrets();
  rmSync(dir, { recursive: true, force: true });
});

function expectClean(text: string): void {
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain('UrlPw-unit-91c');
  expect(text).not.toContain('UrlUser-unit');
}

describe("the run directory's writers mask secrets", () => {
  it('copied service logs: only the run’s slice, with secret values and URL userinfo masked', async () => {
    const logs = join(dir, 'stack-logs');
    mkdirSync(logs);
    const log = join(logs, 'connect.log');
    writeFileSync(log, 'before the run\n');
    const marks = markLogs(logs);
    appendFileSync(log, `ERROR auth failed with ${PASSWORD} on http://${USERINFO}@127.0.0.1:9200/_bulk\n`);
    const run = join(dir, 'run');
    mkdirSync(join(run, 'logs'), { recursive: true });
    await copyLogSlices(marks, run);
    const copied = readFileSync(join(run, 'logs', 'connect.log'), 'utf8');
    expectClean(copied);
    expect(copied).not.toContain('before the run');
    expect(copied).toContain(`auth failed with ${mask(PASSWORD)} on http://${mask(USERINFO)}@127.0.0.1:9200`);
  });

  it('timeline.jsonl: an operator action quoting a task trace, and a note', () => {
    const path = join(dir, 'timeline.jsonl');
    const t = new Timeline(path);
    t.record({ t: 1, kind: 'operator', action: 'restart sink task', reason: `trace: refused ${PASSWORD}` });
    t.record({ t: 2, kind: 'note', message: `sink at http://${USERINFO}@127.0.0.1:9200` });
    const text = readFileSync(path, 'utf8');
    expectClean(text);
    expect(text).toContain(mask(PASSWORD));
    expect(text).toContain(mask(USERINFO));
  });

  it('snapshot/meta.json: the reason the data was not kept', () => {
    writeSnapshot(join(dir, 'run'), {
      takenAt: 1,
      dates: { epoch: 'millis', iso: false },
      pgRows: 0,
      esDocs: 0,
      digests: { pg: 'a', es: 'b' },
      omitted: `could not read http://${USERINFO}@127.0.0.1:9200 (password ${PASSWORD})`,
    });
    const text = readFileSync(join(dir, 'run', 'snapshot', 'meta.json'), 'utf8');
    expectClean(text);
    expect(text).toContain(mask(PASSWORD));
  });
});
