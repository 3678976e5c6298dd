import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { setWorkerExtras } from './connect.ts';

describe("a definition's worker settings", () => {
  it('go after the harness settings, change only when they differ, and come off again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'connect-'));
    const file = join(dir, 'connect.properties');
    const base = 'bootstrap.servers=127.0.0.1:1\noffset.flush.interval.ms=1000\n';
    writeFileSync(file, base);
    expect(setWorkerExtras(dir, {})).toBe(false);
    expect(
      setWorkerExtras(dir, { 'offset.flush.interval.ms': '60000', 'exactly.once.source.support': 'enabled' }),
    ).toBe(true);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(base)).toBe(true);
    // Java's Properties keeps the last value of a key: the definition's wins.
    expect(text.slice(base.length).split('\n').slice(1)).toEqual([
      'exactly.once.source.support=enabled',
      'offset.flush.interval.ms=60000',
      '',
    ]);
    expect(
      setWorkerExtras(dir, { 'exactly.once.source.support': 'enabled', 'offset.flush.interval.ms': '60000' }),
    ).toBe(false);
    expect(setWorkerExtras(dir, { 'exactly.once.source.support': 'enabled' })).toBe(true);
    expect(readFileSync(file, 'utf8')).not.toContain('60000');
    expect(setWorkerExtras(dir, {})).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe(base);
  });
});
