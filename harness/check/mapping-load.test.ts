import { describe, expect, it } from 'vitest';

// Imported inside the test: the products reading is built when the module loads, so a module that cannot build it
// fails here, as a test, rather than before any test runs.
describe('loading mapping.ts', () => {
  it('builds the default reading of products: every column, no limits', async () => {
    const { DEFAULT_INDEX_READING, ROW_FIELDS } = await import('./mapping.ts');
    expect(Object.keys(DEFAULT_INDEX_READING.columns)).toEqual([...ROW_FIELDS]);
    expect(DEFAULT_INDEX_READING.columns['name']).toStrictEqual({ ignoreAbove: null, limitField: null });
  });
});
