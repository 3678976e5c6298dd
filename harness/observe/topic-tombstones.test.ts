import { describe, expect, it } from 'vitest';
import { readAsNull } from './topic-tombstones.ts';

describe('what the sink reads as a null value', () => {
  it('is no value, or the JSON text null that JsonConverter writes for a schema-carrying null', () => {
    expect(readAsNull(null)).toBe(true);
    expect(readAsNull(Buffer.from('null'))).toBe(true);
    expect(readAsNull(Buffer.from('"null"'))).toBe(false);
    expect(readAsNull(Buffer.from('{"product_id":1}'))).toBe(false);
    expect(readAsNull(Buffer.from(''))).toBe(false);
  });
});
