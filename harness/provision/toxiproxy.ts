import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { exec, run } from '../util/exec.ts';
import { info } from '../util/log.ts';
import { ensureArtifact, type CachedArtifact } from './cache-manifest.ts';
import { MANIFEST } from './manifest.ts';

export function toxiproxyArtifact(cache: string): CachedArtifact {
  const { module, version } = MANIFEST.toxiproxy;
  return {
    name: `toxiproxy ${version}`,
    path: join(cache, 'bin', `toxiproxy-server-${version}`),
    key: `${module}@${version}`,
  };
}

/** Variables that would let `go install` skip the checksum database, or pass a module without its sum. */
const SUM_BYPASS = ['GOSUMDB', 'GONOSUMDB', 'GONOSUMCHECK', 'GOPRIVATE', 'GONOPROXY', 'GOINSECURE', 'GOFLAGS', 'GOENV'];

/**
 * The environment for `go install`: go verifies every module it downloads against go.sum and the Go
 * checksum database (sum.golang.org), and nothing the user's environment or go env file says may turn that
 * off: the bypass variables are dropped, GOSUMDB is set explicitly and GOENV=off ignores the `go env -w`
 * file (where GOSUMDB=off or GOFLAGS=-insecure could sit). Only where modules come from and where they are
 * kept is carried over.
 */
export async function goInstallEnv(gobin: string, env: NodeJS.ProcessEnv = process.env): Promise<NodeJS.ProcessEnv> {
  // The user's choices, read before GOENV=off hides the ones made with `go env -w`.
  const r = await exec('go', ['env', '-json', 'GOPROXY', 'GOMODCACHE', 'GOCACHE', 'GOTOOLCHAIN'], { env }).catch(
    () => undefined,
  );
  const user = r?.code === 0 ? (JSON.parse(r.stdout) as Record<string, string>) : {};
  const out: NodeJS.ProcessEnv = { ...env };
  for (const k of SUM_BYPASS) delete out[k];
  for (const [k, v] of Object.entries(user)) if (v) out[k] = v;
  return { ...out, GOENV: 'off', GOSUMDB: 'sum.golang.org', GOBIN: gobin, CGO_ENABLED: '0' };
}

/** Toxiproxy is built from its Go module (no release downloads here); the binary is cached per version. */
export async function ensureToxiproxy(cache: string, opts: { force?: boolean } = {}): Promise<string> {
  const { module, version } = MANIFEST.toxiproxy;
  const { path: bin, key } = toxiproxyArtifact(cache);
  await ensureArtifact(
    bin,
    key,
    async (tmp) => {
      info(`    building toxiproxy ${version} with go install`);
      const gobin = `${tmp}.gobin`;
      mkdirSync(gobin, { recursive: true });
      try {
        await run('go', ['install', `${module}@${version}`], {
          env: await goInstallEnv(gobin),
          what: 'go install toxiproxy',
          fix: 'install Go (https://go.dev) and check that the Go module proxy is reachable (GOPROXY)',
        });
        renameSync(join(gobin, 'server'), tmp);
      } finally {
        rmSync(gobin, { recursive: true, force: true });
      }
    },
    { tmpRoot: join(cache, '.tmp'), force: opts.force, verb: 'building' },
  );
  return bin;
}
