import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Callers ask a provider what it can do (provider/traits.ts), never which one it is: a new provider is then a
// row in the traits table, not an edit in every command. Showing the kind's name in a message stays fine.
const HARNESS = dirname(fileURLToPath(import.meta.url));
const KINDS = "'(?:local|containers|external)'";
const COMPARISON = new RegExp(
  `\\bkind\\s*[!=]==?\\s*${KINDS}|${KINDS}\\s*[!=]==?\\s*[\\w.?]*\\bkind\\b|case\\s+${KINDS}\\s*:`,
);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Lines outside provider/ that compare a provider's kind, as "file:line: text". */
function kindComparisons(): string[] {
  return sourceFiles(HARNESS)
    .filter((f) => !relative(HARNESS, f).startsWith('provider/') && !f.endsWith('provider-kinds.test.ts'))
    .flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (COMPARISON.test(line) ? [`${relative(HARNESS, f)}:${i + 1}: ${line.trim()}`] : [])),
    );
}

describe('providers by capability', () => {
  it('recognises a comparison of a kind, either way round, and not a kind shown in a message', () => {
    // Written with q() so that a plain grep for the comparisons does not find these examples.
    const q = (kind: string) => `'${kind}'`;
    expect(COMPARISON.test(`if (choice.kind !== ${q('local')}) keep();`)).toBe(true);
    expect(COMPARISON.test(`const ext = provider.kind === ${q('external')};`)).toBe(true);
    expect(COMPARISON.test("if ('containers' === p.kind) {")).toBe(true);
    expect(COMPARISON.test("    case 'external':")).toBe(true);
    expect(COMPARISON.test('info(`the ${provider.kind} provider cannot`)')).toBe(false);
    expect(COMPARISON.test("if (f.kind === 'postgres.failover')")).toBe(false);
  });

  it('no code outside provider/ compares a provider kind', () => {
    expect(kindComparisons()).toEqual([]);
  });
});
