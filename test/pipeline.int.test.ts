import { describe, expect, inject, it } from 'vitest';
import { smoke } from '../harness/scenario/smoke.ts';

describe('the outbox pipeline on real programs', () => {
  it('propagates an insert, an update and a delete to Elasticsearch', async () => {
    const r = await smoke(inject('endpoints'), { deadlineMs: 30_000 });
    console.log(`insert visible after ${r.insertVisibleMs} ms, update ${r.updateVisibleMs} ms, delete ${r.deleteVisibleMs} ms`);
    expect(r.productId).toBeGreaterThan(0);
    for (const ms of [r.insertVisibleMs, r.updateVisibleMs, r.deleteVisibleMs]) expect(ms).toBeLessThan(30_000);
  });
});
