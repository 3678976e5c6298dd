import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { guardOutput, info, warn } from './log.ts';
import { appendPrivate, writePrivate } from './private-files.ts';
import { mask, registerConfigSecrets, resetSecrets } from './redact.ts';

/**
 * What the harness prints and the files it writes as text mask secrets on their own, each without relying on
 * another layer (docs/secrets.md, "How it is tested"): each test fails when that one writer's redaction is
 * taken out.
 */
const PASSWORD = 'SinkPw-unit-5d2e';
const USERINFO = 'UrlUser-unit:UrlPw-unit-0b7';
const LINE = `refused: password ${PASSWORD} for http://${USERINFO}@127.0.0.1:9200`;
const MASKED = `refused: password ${mask(PASSWORD)} for http://${mask(USERINFO)}@127.0.0.1:9200`;

beforeEach(() =>
  registerConfigSecrets({ 'connection.password': PASSWORD, 'connection.url': `http://${USERINFO}@127.0.0.1:9200` }),
);
afterEach(() => resetSecrets());

/** Captures what is written to a stream while `fn` runs, then puts the stream's own write back. */
function capture(stream: NodeJS.WriteStream, fn: () => void): string {
  const original = stream.write;
  let out = '';
  stream.write = ((chunk: unknown): boolean => {
    out += String(chunk);
    return true;
  }) as typeof stream.write;
  try {
    fn();
  } finally {
    stream.write = original;
  }
  return out;
}

describe('printed output masks secrets', () => {
  it('info and warn', () => {
    expect(capture(process.stderr, () => info(LINE))).toBe(`${MASKED}\n`);
    expect(capture(process.stderr, () => warn(LINE))).toBe(`warning: ${MASKED}\n`);
  });

  it('the stdout/stderr filter: errors, tables and doctor print through the streams', () => {
    const out = capture(process.stdout, () => {
      guardOutput();
      process.stdout.write(`${LINE}\n`);
    });
    const err = capture(process.stderr, () => {
      guardOutput();
      process.stderr.write(`error: ${LINE}\n`); // what console.error does outside the test runner
    });
    expect(out).toBe(`${MASKED}\n`);
    expect(err).toBe(`error: ${MASKED}\n`);
  });
});

describe('owner-only text files mask secrets', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outbox-chaos-private-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writePrivate (pinned scenario.yaml, renderings, state) and appendPrivate', () => {
    writePrivate(join(dir, 'a.txt'), LINE);
    appendPrivate(join(dir, 'b.txt'), LINE);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe(MASKED);
    expect(readFileSync(join(dir, 'b.txt'), 'utf8')).toBe(MASKED);
  });
});
