import { describe, expect, it } from 'vitest';
import { HistoryWriter } from '../../record/history-file.ts';
import { runWorkload } from '../driver.ts';
import { DEFAULT_PROFILE } from '../profile.ts';
import { ORDERS_MODELS } from './orders-example.ts';

// Refused before anything connects: the URL leads nowhere.
const base = {
  pgUrl: 'postgres://nobody@127.0.0.1:1/none',
  seed: 1,
  profile: { ...DEFAULT_PROFILE, durationMs: 1_000 },
  history: undefined as unknown as HistoryWriter,
  tables: ORDERS_MODELS,
};

describe('runWorkload with tables', () => {
  it('refuses an application that writes outbox rows or documents too', async () => {
    await expect(
      runWorkload({ ...base, app: { kind: 'dual-write', esUrl: 'http://127.0.0.1:1', index: 'x', timeoutMs: 1 } }),
    ).rejects.toThrow(/table workload writes no dual-write application rows/);
  });

  it('refuses tables together with table, and an empty list', async () => {
    await expect(runWorkload({ ...base, table: 'products' })).rejects.toThrow(/not with table as well/);
    await expect(runWorkload({ ...base, tables: [] })).rejects.toThrow(/at least one captured table/);
  });

  it('refuses a schema it cannot write, naming the table', async () => {
    await expect(runWorkload({ ...base, tables: [ORDERS_MODELS[1]!] })).rejects.toThrow(/capture customers too/);
  });
});
