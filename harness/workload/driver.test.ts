import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HistoryWriter } from '../record/history-file.ts';
import { runWorkload } from './driver.ts';
import { DEFAULT_PROFILE } from './profile.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('runWorkload without a database', () => {
  it('keeps trying at a bounded rate until the duration ends, then returns instead of crashing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oc-wl-down-'));
    dirs.push(dir);
    const history = await HistoryWriter.open(join(dir, 'history.jsonl'));
    const t0 = Date.now();
    const summary = await runWorkload({
      pgUrl: 'postgres://nobody@127.0.0.1:1/none', // nothing listens on port 1: connection refused
      seed: 1,
      profile: { ...DEFAULT_PROFILE, durationMs: 1_500 },
      history,
      connectTimeoutMs: 500,
    });
    await history.close();
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(1_400);
    expect(took).toBeLessThan(5_000);
    expect(summary.prepared).toBe(false);
    expect(summary.opsRecorded).toBe(0);
    expect(summary.stoppedBy).toBe('duration');
    // Backoff 50 ms doubling to 2 s: a handful of attempts in 1.5 s, not a busy loop.
    expect(summary.connectFailures).toBeGreaterThan(1);
    expect(summary.connectFailures).toBeLessThan(15);
    expect(summary.errors[0]?.message).toMatch(/ECONNREFUSED/);
  });

  it('stops at once when the signal is already aborted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oc-wl-abort-'));
    dirs.push(dir);
    const history = await HistoryWriter.open(join(dir, 'history.jsonl'));
    const ctl = new AbortController();
    ctl.abort();
    const summary = await runWorkload({
      pgUrl: 'postgres://x@127.0.0.1:1/x',
      seed: 1,
      profile: DEFAULT_PROFILE,
      history,
      signal: ctl.signal,
    });
    await history.close();
    expect(summary.stoppedBy).toBe('abort');
    expect(summary.opsRecorded).toBe(0);
  });

  it('rejects a table name that is not an identifier before connecting', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'oc-wl-bad-'));
    dirs.push(dir);
    const history = await HistoryWriter.open(join(dir, 'history.jsonl'));
    await expect(
      runWorkload({
        pgUrl: 'postgres://x@127.0.0.1:1/x',
        table: 'products;drop',
        seed: 1,
        profile: DEFAULT_PROFILE,
        history,
      }),
    ).rejects.toThrow(/identifier/);
    await history.close();
  });
});
