/**
 * The tree keeps one format and passes the linter: `npm run lint` in the unit project, so a change that breaks
 * either fails `npm test` like any other test, with the offending files and lines in the message.
 */
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../harness/record/paths.ts';
import { exec } from '../harness/util/exec.ts';

const bin = (name: string): string => `${PROJECT_ROOT}/node_modules/.bin/${name}`;

describe('style', () => {
  it('every source file is formatted as Prettier formats it (width 120)', async () => {
    const r = await exec(bin('prettier'), ['--check', '--log-level', 'warn', '.'], {
      cwd: PROJECT_ROOT,
      timeoutMs: 120_000,
    });
    expect(`${r.stdout}${r.stderr}`.trim(), 'fix: npm run format').toBe('');
    expect(r.code).toBe(0);
  }, 180_000);

  it('ESLint (typescript-eslint, no line over 120 characters) finds nothing', async () => {
    const r = await exec(bin('eslint'), ['--max-warnings', '0', '.'], { cwd: PROJECT_ROOT, timeoutMs: 180_000 });
    expect(`${r.stdout}${r.stderr}`.trim(), 'fix what ESLint names (npx eslint --fix . for the fixable)').toBe('');
    expect(r.code).toBe(0);
  }, 240_000);
});
