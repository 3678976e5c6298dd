/**
 * `npm test`'s second pretest step: installs what the tests need and the harness knows how to get, so they
 * run instead of skipping. Chromium comes from Debian's packages, and only as root with CI=true or
 * OUTBOX_CHAOS_INSTALL_TEST_TOOLS=1 (it changes the machine); actionlint is built into the harness cache
 * when Go is there. Says what it does; never fails the run: what it cannot get shows up as a named skip.
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { CHROMIUM, chromiumMissing, INSTALL_OPT_IN, mayInstallSystemPackages } from './prereqs.ts';

const say = (line: string): void => {
  process.stderr.write(`npm test: ${line}\n`);
};

function aptInstall(packages: string[]): boolean {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-q'],
    ['install', '-y', '-q', '--no-install-recommends', ...packages],
  ]) {
    say(`apt-get ${args.join(' ')}`);
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'inherit', 'inherit'], env });
    if (r.status !== 0) return false;
  }
  return true;
}

function ensureChromium(): void {
  const missing = chromiumMissing();
  if (!missing) return;
  const may = mayInstallSystemPackages();
  if (!may.ok) {
    say(
      `${missing}: the browser tests will skip (${may.why}); ` +
        `to install it: apt-get install chromium, or run as root with ${INSTALL_OPT_IN}=1`,
    );
    return;
  }
  say(`${missing}: installing Debian's chromium for the browser tests (${may.why})`);
  if (!aptInstall(['chromium']) || !existsSync(CHROMIUM))
    say(`chromium could not be installed; the browser tests will skip`);
}

async function ensureActionlintTool(): Promise<void> {
  const { actionlintPath, ensureActionlint, goMissing } = await import('./actionlint.ts');
  if (existsSync(actionlintPath())) return;
  const noGo = await goMissing();
  if (noGo) {
    say(`${noGo}: the CI recipe test will skip`);
    return;
  }
  try {
    await ensureActionlint(undefined, (l) => say(l));
  } catch (err) {
    say(
      `actionlint could not be built (${(err as Error).message.split('\n')[0] ?? ''}); ` +
        'the CI recipe test will try again and skip with the reason',
    );
  }
}

ensureChromium();
await ensureActionlintTool();
