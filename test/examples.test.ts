/**
 * The own-repo example's pipeline is the healthy definition as a user would copy it: each of its files stays
 * equal to the one in connectors/, so a fix there (the name.keyword ignore_above) cannot leave the example behind.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../harness/record/paths.ts';

const EXAMPLE = join(PROJECT_ROOT, 'examples', 'own-repo', 'pipeline');

describe('examples/own-repo/pipeline', () => {
  it.each(readdirSync(EXAMPLE))('%s equals connectors/%s', (file) => {
    expect(readFileSync(join(EXAMPLE, file), 'utf8')).toBe(
      readFileSync(join(PROJECT_ROOT, 'connectors', file), 'utf8'),
    );
  });
});
