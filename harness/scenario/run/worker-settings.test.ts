import { describe, expect, it, vi } from 'vitest';
import type { Provider } from '../../provider/interface.ts';
import { ConfigError } from '../../util/errors.ts';
import { workerSettingsStep } from './register.ts';

type Ctx = Parameters<typeof workerSettingsStep>[0];

const ctxWith = (worker: Record<string, string> | undefined, provider: Partial<Provider>): Ctx =>
  ({
    plan: { def: { pipeline: { kind: 'cdc', file: '/d/pipeline.yaml', ...(worker ? { worker } : {}) } } },
    provider,
  }) as unknown as Ctx;

describe("the definition's worker settings, before a run registers anything", () => {
  it('a provider that runs the workers gets them, or gets its own back when the definition has none', async () => {
    const set = vi.fn(async () => ['connect restarted']);
    await workerSettingsStep(ctxWith({ a: 'b' }, { kind: 'local', setWorkerSettings: set }))();
    await workerSettingsStep(ctxWith(undefined, { kind: 'local', setWorkerSettings: set }))();
    expect(set.mock.calls).toEqual([[{ a: 'b' }], [{}]]);
  });

  it('containers refuse them before the reset; external assumes them; no block, no question', () => {
    expect(() => workerSettingsStep(ctxWith({ a: 'b' }, { kind: 'containers' }))).toThrow(ConfigError);
    expect(() => workerSettingsStep(ctxWith({ a: 'b' }, { kind: 'containers' }))).toThrow(
      /worker: settings \(a=b\) need workers the harness can restart with them; the containers provider cannot yet/,
    );
    expect(() => workerSettingsStep(ctxWith({ a: 'b' }, { kind: 'external' }))).not.toThrow();
    expect(() => workerSettingsStep(ctxWith(undefined, { kind: 'containers' }))).not.toThrow();
  });
});
