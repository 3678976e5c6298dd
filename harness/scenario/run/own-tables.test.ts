import { describe, expect, it } from 'vitest';
import type { OwnTable } from '../../pipeline/definition.ts';
import { DEFAULT_PROFILE } from '../../workload/profile.ts';
import { ORDERS_MODELS } from '../../workload/tables/orders-example.ts';
import { tablesWorkloadHash, type ModelledTable } from './own-tables.ts';

const TABLES: ModelledTable[] = ORDERS_MODELS.map((model) => ({
  ...({ spec: { name: model.name, index: model.name } } as unknown as OwnTable),
  model,
}));

describe("a tables run's workload identity", () => {
  it('depends on the seed, the profile and the models, never on timing', () => {
    const profile = { ...DEFAULT_PROFILE, durationMs: 5_000 };
    const a = tablesWorkloadHash(7, profile, TABLES);
    expect(tablesWorkloadHash(7, profile, TABLES)).toBe(a);
    expect(tablesWorkloadHash(8, profile, TABLES)).not.toBe(a);
    expect(tablesWorkloadHash(7, { ...profile, durationMs: 6_000 }, TABLES)).not.toBe(a);
    expect(tablesWorkloadHash(7, profile, TABLES.slice(0, 1))).not.toBe(a);
  });
});
