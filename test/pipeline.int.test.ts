import { beforeAll, describe, expect, it } from 'vitest';
import { sharedEndpoints } from './stack.ts';
import { restoreDefaultPipeline } from '../harness/pipeline/lifecycle.ts';
import { smoke } from '../harness/scenario/smoke.ts';

describe('the outbox pipeline on real programs', () => {
  // The seed's flow on the healthy pipeline as `up` registers it, whatever ran on the shared stack before.
  beforeAll(() => restoreDefaultPipeline(sharedEndpoints()), 120_000);

  it('propagates an insert, an update and a delete to Elasticsearch', async () => {
    const r = await smoke(sharedEndpoints(), { deadlineMs: 30_000 });
    console.log(
      `insert visible after ${r.insertVisibleMs} ms, update ${r.updateVisibleMs} ms, delete ${r.deleteVisibleMs} ms`,
    );
    expect(r.productId).toBeGreaterThan(0);
    for (const ms of [r.insertVisibleMs, r.updateVisibleMs, r.deleteVisibleMs]) expect(ms).toBeLessThan(30_000);
  });
});

describe('a connector config Connect rejects', () => {
  it('is a configuration error (exit 2) naming the file and the offending key, and creates nothing', async () => {
    const { ConnectClient } = await import('../harness/connect/client.ts');
    const { ConfigError } = await import('../harness/util/errors.ts');
    const client = new ConnectClient(sharedEndpoints().connectUrl);
    const bad = {
      'connector.class': 'io.outboxchaos.es.ElasticsearchSinkConnector',
      topics: 'x',
      'connection.url': 'http://127.0.0.1:1',
      'write.method': 'sideways',
    };
    const err = await client.put('rejected-sink', bad, 'my/register-elasticsearch.json').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as InstanceType<typeof ConfigError>).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/my\/register-elasticsearch\.json/);
    expect((err as Error).message).toMatch(/write\.method/);
    expect(await client.list()).not.toContain('rejected-sink');
  });
});
