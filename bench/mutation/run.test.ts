import { describe, expect, it } from 'vitest';
import { matches, parseEquivalent } from './equivalent.ts';
import { forgetSurvivors, summarise, table, type Results } from './run.ts';

const report = {
  files: {
    'harness/check/a.ts': {
      source: 'const a = 1;\nif (a > 0) f();\n',
      mutants: [
        {
          id: '1',
          mutatorName: 'EqualityOperator',
          replacement: 'a >= 0',
          status: 'Survived' as const,
          location: { start: { line: 2, column: 5 } },
        },
        {
          id: '2',
          mutatorName: 'ConditionalExpression',
          replacement: 'true',
          status: 'Killed' as const,
          location: { start: { line: 2, column: 5 } },
        },
        {
          id: '3',
          mutatorName: 'ConditionalExpression',
          replacement: 'false',
          status: 'Timeout' as const,
          location: { start: { line: 2, column: 5 } },
        },
        {
          id: '4',
          mutatorName: 'BlockStatement',
          replacement: '{}',
          status: 'NoCoverage' as const,
          location: { start: { line: 2, column: 12 } },
        },
        {
          id: '5',
          mutatorName: 'StringLiteral',
          replacement: '""',
          status: 'CompileError' as const,
          location: { start: { line: 1, column: 1 } },
        },
      ],
    },
    'harness/scenario/judge.ts': {
      source: 'x\n',
      mutants: [
        {
          id: '6',
          mutatorName: 'BooleanLiteral',
          replacement: 'false',
          status: 'Killed' as const,
          location: { start: { line: 1, column: 1 } },
        },
      ],
    },
  },
};

describe('mutation results', () => {
  it('scores each file, folder and the total as Stryker does: detected over valid mutants', () => {
    const { total, groups, files, survivors } = summarise(report);
    expect(files['harness/check/a.ts']).toEqual({
      score: 50,
      mutants: 5,
      killed: 1,
      survived: 1,
      timeout: 1,
      noCoverage: 1,
      errors: 1,
    });
    expect(groups['harness/scenario']).toMatchObject({ score: 100, killed: 1 });
    expect(total).toMatchObject({ score: 60, mutants: 6 });
    expect(survivors.map((s) => [s.line, s.status, s.replacement, s.code])).toEqual([
      [2, 'Survived', 'a >= 0', 'if (a > 0) f();'],
      [2, 'NoCoverage', '{}', 'if (a > 0) f();'],
    ]);
  });

  it('reads the equivalent-mutant table, pipes and backticks in replacements included', () => {
    const listed = parseEquivalent(
      [
        '| file | line | mutator | replacement | why |',
        '|---|---:|---|---|---|',
        '| `harness/check/a.ts` | 2 | EqualityOperator | `a >= 0` | a is never 0 |',
        '| harness/check/a.ts | 9 | LogicalOperator | `x \\|\\| y` | both always true |',
        '| harness/check/a.ts | 10 | StringLiteral | `` `` `` | empty template |',
      ].join('\n'),
    );
    expect(listed).toEqual([
      { file: 'harness/check/a.ts', line: 2, mutator: 'EqualityOperator', replacement: 'a >= 0' },
      { file: 'harness/check/a.ts', line: 9, mutator: 'LogicalOperator', replacement: 'x || y' },
      { file: 'harness/check/a.ts', line: 10, mutator: 'StringLiteral', replacement: '``' },
    ]);
    const [survivor] = summarise(report).survivors;
    expect(matches(survivor!, listed[0]!)).toBe(true);
    expect(matches(survivor!, { ...listed[0]!, line: 3 })).toBe(false);
  });

  it('prints the change against the previous results', () => {
    const { total, groups, files } = summarise(report);
    const now: Results = {
      date: 'd2',
      durationSeconds: 1,
      incremental: false,
      stryker: '9',
      total,
      groups,
      files,
      equivalentListed: 0,
      unexplained: 2,
    };
    const before: Results = { ...now, total: { ...total, score: 55.5, killed: 0 } };
    const text = table(now, before);
    expect(text.split('\n')[1]).toMatch(/^total\s+60\.0 \(\+4\.5\)\s+2 \(\+2\)\s+1\s+1\s+1$/);
    expect(table(now, undefined).split('\n')[1]).toMatch(/^total\s+60\.0\s+2\s+1\s+1\s+1$/);
    expect(text.split('\n')[3]).toMatch(/^ {2}harness\/check\/a\.ts\s+50\.0 \(=\)/);
  });

  it('forgets the survivors of the last run, so that they are tested again, and keeps the rest', () => {
    const cache = structuredClone(report);
    expect(forgetSurvivors(cache)).toBe(2);
    expect(cache.files['harness/check/a.ts'].mutants.map((m) => m.status)).toEqual([
      'Killed',
      'Timeout',
      'CompileError',
    ]);
    expect(cache.files['harness/scenario/judge.ts'].mutants).toHaveLength(1);
  });
});
