/**
 * The CI recipe users copy (examples/own-repo/.github/workflows/outbox-chaos.yml) is valid GitHub Actions,
 * checked with actionlint (built into the harness cache with Go once), and uploads the files the suite report
 * really writes. Its steps are executed for real in test/package.int.test.ts. Skips, saying why, where Go is absent.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { PROJECT_ROOT } from '../harness/record/paths.ts';
import { LATEST_SUITE, SUITE_FILES } from '../harness/report/suite/write.ts';
import { exec } from '../harness/util/exec.ts';
import { ensureActionlint, goMissing } from './tools/actionlint.ts';
import { skippableTitle } from './tools/prereqs.ts';

const RECIPE = join(PROJECT_ROOT, 'examples', 'own-repo', '.github', 'workflows', 'outbox-chaos.yml');
const noGo = await goMissing();

async function actionlint(bin: string, file: string): Promise<{ code: number; out: string }> {
  // -shellcheck= and -pyflakes= off: the result must not depend on what else the machine has installed.
  const r = await exec(bin, ['-no-color', '-shellcheck=', '-pyflakes=', file], {
    cwd: PROJECT_ROOT,
    timeoutMs: 60_000,
  });
  return { code: r.code, out: `${r.stdout}${r.stderr}`.trim() };
}

describe.skipIf(noGo !== undefined)(skippableTitle('the GitHub Actions recipe', noGo), () => {
  let bin = '';
  let scratch = '';

  beforeAll(async () => {
    bin = await ensureActionlint();
    scratch = await mkdtemp(join(tmpdir(), 'outbox-chaos-recipe-'));
  }, 600_000);

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('passes actionlint', async () => {
    expect(await actionlint(bin, RECIPE)).toEqual({ code: 0, out: '' });
  });

  it('actionlint fails a broken copy (the check can fail)', async () => {
    const broken = join(scratch, 'broken.yml');
    writeFileSync(
      broken,
      readFileSync(RECIPE, 'utf8')
        .replace('node-version: 20', 'node-versoin: 20')
        .replace('if: always()', 'if: ${{ always( }}'),
    );
    const r = await actionlint(bin, broken);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/node-versoin/);
  });

  it('runs the catalogue in shards on the containers provider from the package, merges and uploads the suite', () => {
    const wf = parseYaml(readFileSync(RECIPE, 'utf8')) as {
      env: Record<string, string>;
      jobs: Record<string, { steps: { run?: string; uses?: string; with?: { path?: string } }[] }>;
    };
    expect(wf.env).toMatchObject({ PROVIDER: 'containers', SCENARIOS: '--all' });
    const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
    expect(steps.some((s) => /^npm ci\b/.test(s.run ?? ''))).toBe(true);
    expect(
      steps.some((s) =>
        /npx outbox-chaos run \$SCENARIOS --shard "\$SHARD\/\$SHARDS" --provider "\$PROVIDER"/.test(s.run ?? ''),
      ),
    ).toBe(true);
    // The shards' suites are merged into the one that is summarised and uploaded.
    expect(steps.some((s) => /npx outbox-chaos report --merge shards\b/.test(s.run ?? ''))).toBe(true);
    const uploads = steps.filter((s) => s.uses?.startsWith('actions/upload-artifact@')).map((s) => s.with?.path ?? '');
    expect(uploads).toContain(`reports/${LATEST_SUITE}/${SUITE_FILES.junit}`);
    expect(uploads.some((p) => p.split('\n').includes('reports/'))).toBe(true);
  });
});
