import { expect, it } from 'vitest';

// Imported here, not at the top: a module that cannot find the products columns it reads at load fails this test
// (an import at the top would fail the whole file before any test runs).
it("loads, with the products columns' codecs found by name", async () => {
  const { normaliseDescription, normaliseName, normaliseProductId } = await import('./normalise.ts');
  expect(normaliseProductId('12')).toBe(12);
  expect(normaliseName('a')).toBe('a');
  expect(normaliseDescription(null)).toBeNull();
});
