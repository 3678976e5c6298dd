/**
 * actionlint, the linter the CI recipe (examples/github-actions.yml) is checked with. Built from its Go module
 * into the harness cache once, like Toxiproxy; a test tool, so it is pinned here rather than in the manifest of
 * the programs the stack runs.
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureArtifact } from '../../harness/provision/cache-manifest.ts';
import { cacheDir } from '../../harness/provision/paths.ts';
import { goInstallEnv } from '../../harness/provision/toxiproxy.ts';
import { exec, run } from '../../harness/util/exec.ts';

export const ACTIONLINT = { module: 'github.com/rhysd/actionlint/cmd/actionlint', version: 'v1.7.12' } as const;

export function actionlintPath(cache = cacheDir()): string {
  return join(cache, 'bin', `actionlint-${ACTIONLINT.version}`);
}

/** Why actionlint cannot be had here (no Go); undefined when Go is there. */
export async function goMissing(): Promise<string | undefined> {
  const r = await exec('go', ['version']).catch(() => undefined);
  return r?.code === 0 ? undefined : 'Go is not installed (`go version` failed), so actionlint cannot be built';
}

/** The cached actionlint binary, built with `go install` the first time (about a minute on 2 cores). */
export async function ensureActionlint(
  cache = cacheDir(),
  log: (line: string) => void = () => undefined,
): Promise<string> {
  const bin = actionlintPath(cache);
  await ensureArtifact(
    bin,
    `${ACTIONLINT.module}@${ACTIONLINT.version}`,
    async (tmp) => {
      log(`go install ${ACTIONLINT.module}@${ACTIONLINT.version} → ${bin}`);
      const gobin = `${tmp}.gobin`;
      mkdirSync(gobin, { recursive: true });
      try {
        await run('go', ['install', `${ACTIONLINT.module}@${ACTIONLINT.version}`], {
          env: await goInstallEnv(gobin),
          what: 'go install actionlint',
          fix: 'check that the Go module proxy is reachable (GOPROXY)',
        });
        renameSync(join(gobin, 'actionlint'), tmp);
      } finally {
        rmSync(gobin, { recursive: true, force: true });
      }
    },
    { tmpRoot: join(cache, '.tmp'), verb: 'building' },
  );
  return bin;
}
