import { describe, expect, it } from 'vitest';
import { OpQueue } from './op-queue.ts';
import { TokenBucket } from './token-bucket.ts';

describe('OpQueue', () => {
  it('hands out exact chunks, the rest at close, nothing after stop', async () => {
    const q = new OpQueue<number>(10);
    for (let i = 0; i < 5; i++) await q.push(i);
    expect(await q.take(2)).toEqual([0, 1]);
    const pending = q.take(4);
    await q.push(5);
    expect(await pending).toEqual([2, 3, 4, 5]);
    await q.push(6);
    q.close();
    expect(await q.take(4)).toEqual([6]);
    expect(await q.take(4)).toEqual([]);
    const s = new OpQueue<number>(1);
    await s.push(1);
    const blocked = s.push(2);
    s.stop();
    expect(await blocked).toBe(false);
    expect(await s.take(1)).toEqual([]);
  });

  it('makes a pusher wait for room', async () => {
    const q = new OpQueue<number>(2);
    await q.push(1);
    await q.push(2);
    let pushed = false;
    const p = q.push(3).then(() => (pushed = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(pushed).toBe(false);
    expect(q.takeAvailable(5)).toEqual([1, 2]);
    await p;
    expect(pushed).toBe(true);
  });
});

describe('TokenBucket', () => {
  it('paces to the rate and does not bank tokens during a stall', async () => {
    let now = 0;
    const b = new TokenBucket(100, () => now);
    expect(await b.take()).toBe(true); // the first token is there
    now += 10_000; // a long stall…
    let granted = 0;
    const ctl = new AbortController();
    const loop = (async () => {
      while (await b.take(ctl.signal)) granted++;
    })();
    await new Promise((r) => setTimeout(r, 30));
    ctl.abort();
    await loop;
    expect(granted).toBe(5); // …refills at most 50 ms worth (100/s × 0.05 s), not 1,000
  });

  it('rate 0 is unlimited', async () => {
    const b = new TokenBucket(0);
    for (let i = 0; i < 1000; i++) expect(await b.take()).toBe(true);
  });
});
