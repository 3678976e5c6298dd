import { describe, expect, it } from 'vitest';
import { mayInstallSystemPackages, SKIP_CAUSES } from './prereqs.ts';
import { reasonOf, skipBlock } from './skip-block.ts';

describe('the skip block at the end of npm test', () => {
  it('lists each skipped test under its file, reason and fix', () => {
    const block = skipBlock([
      {
        file: 'harness/report/html.browser.test.ts',
        fullName: 'index.html in headless Chromium — SKIPPED: /usr/bin/chromium is not installed > renders every chart',
      },
      {
        file: 'harness/report/html.browser.test.ts',
        fullName: 'index.html in headless Chromium — SKIPPED: /usr/bin/chromium is not installed > junit.xml parses',
      },
      {
        file: 'test/containers.int.test.ts',
        fullName: 'containers provider (skipped: no Docker engine: DOCKER_HOST is unset) > runs baseline',
      },
      {
        file: 'harness/check/read-pg.test.ts',
        fullName:
          'readPgRows against a real Postgres 15 — SKIPPED: /usr/lib/postgresql/15/bin/initdb not found ' +
          '(Postgres 15 not installed) > streams rows',
      },
      { file: 'somewhere/else.test.ts', fullName: 'a > b', note: 'flaky on Tuesdays' },
    ]);
    expect(block).toContain('skipped tests: 5');
    expect(block).toContain(
      '⊘ harness/report/html.browser.test.ts: 2 skipped\n' +
        '    why  /usr/bin/chromium is not installed\n    fix  apt-get install chromium',
    );
    expect(block).toContain('    · index.html in headless Chromium > renders every chart');
    expect(block).toContain('why  no Docker engine: DOCKER_HOST is unset');
    expect(block).toContain('fix  start Docker');
    expect(block).toContain('why  /usr/lib/postgresql/15/bin/initdb not found (Postgres 15 not installed)');
    expect(block).toContain('    · readPgRows against a real Postgres 15 > streams rows');
    expect(block).toContain('why  flaky on Tuesdays');
    expect(block).toContain('no known fix for this file');
    expect(skipBlock([])).toBe('skipped tests: none');
  });

  it('falls back to what the file needs when the title says nothing', () => {
    expect(reasonOf({ file: 'test/ci-recipe.test.ts', fullName: 'x > y' })).toBe('needs Go, to build actionlint');
    expect(reasonOf({ file: 'x.test.ts', fullName: 'x', todo: true })).toBe('marked todo');
  });

  it('every file named in the table exists', async () => {
    const { existsSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { PROJECT_ROOT } = await import('../../harness/record/paths.ts');
    expect(SKIP_CAUSES.filter((c) => !existsSync(join(PROJECT_ROOT, c.file))).map((c) => c.file)).toEqual([]);
  });

  it('installs system packages only as root, on CI or when asked', () => {
    expect(mayInstallSystemPackages({ CI: 'true' }, 0).ok).toBe(true);
    expect(mayInstallSystemPackages({ OUTBOX_CHAOS_INSTALL_TEST_TOOLS: '1' }, 0).ok).toBe(true);
    expect(mayInstallSystemPackages({}, 0)).toEqual({
      ok: false,
      why: 'neither CI=true nor OUTBOX_CHAOS_INSTALL_TEST_TOOLS=1 is set',
    });
    expect(mayInstallSystemPackages({ CI: 'true' }, 1000).ok).toBe(false);
  });
});
