/**
 * The package as users get it: `npm pack`, installed into a project made from examples/own-repo/ (its own
 * pipeline definition and scenario, nothing of this repository around it), its CLI, and its vitest test using
 * the library API, both on the shared test stack.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedStackName } from './stack.ts';
import { parse as parseYaml } from 'yaml';
import { PROJECT_ROOT } from '../harness/record/paths.ts';

const stackName = sharedStackName();
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let tmp: string;
let project: string;

/** The child's environment: this run's vitest variables left out, so the project's own vitest starts clean. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(VITEST|TEST$|NODE_ENV$|NODE_OPTIONS$|OUTBOX_CHAOS_REPORTS$)/.test(k),
    ),
  );
  return { ...env, ...extra };
}

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 600_000) {
  const r = spawnSync(cmd, args, { cwd, env: cleanEnv(env), encoding: 'utf8', timeout: timeoutMs });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return { code: r.status, output, say: `${cmd} ${args.join(' ')} (exit ${r.status}):\n${output.slice(-4000)}` };
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'outbox-chaos-package-'));
  // prepack builds dist/ first: the tarball holds what `npm run build` makes of this tree.
  const pack = sh(npm, ['pack', '--pack-destination', tmp, '--loglevel=error'], PROJECT_ROOT);
  expect(pack.code, pack.say).toBe(0);
  const tarball = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
  expect(tarball, pack.say).toBeDefined();
  project = join(tmp, 'project');
  cpSync(join(PROJECT_ROOT, 'examples', 'own-repo'), project, { recursive: true });
  // The tarball instead of the registry's version; the vitest this repository has, so that npm's cache has it.
  const file = join(project, 'package.json');
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { devDependencies: Record<string, string> };
  const vitest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', 'vitest', 'package.json'), 'utf8')) as {
    version: string;
  };
  pkg.devDependencies['outbox-chaos'] = `file:${join(tmp, tarball as string)}`;
  pkg.devDependencies.vitest = vitest.version;
  writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
  const install = sh(
    npm,
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
    project,
  );
  expect(install.code, install.say).toBe(0);
}, 900_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const cli = (args: string[]) => sh(join(project, 'node_modules', '.bin', 'outbox-chaos'), args, project);

describe('the packed package, installed into a project of its own', () => {
  it('ships compiled JavaScript and type declarations, no TypeScript sources and no transpiler', () => {
    const pkg = join(project, 'node_modules', 'outbox-chaos');
    expect(existsSync(join(pkg, 'dist', 'harness', 'cli.js'))).toBe(true);
    expect(existsSync(join(pkg, 'dist', 'harness', 'api', 'index.d.ts'))).toBe(true);
    expect(existsSync(join(pkg, 'harness'))).toBe(false);
    expect(existsSync(join(pkg, 'dist', 'harness', 'layers.test.js'))).toBe(false);
    expect(existsSync(join(project, 'node_modules', 'tsx'))).toBe(false);
    // The catalogue, the zoo and the healthy definition with the sink plugin's sources (not its build output).
    // examples/orders too: a definition of its own tables, and the base of the zoo's orders- entries.
    for (const f of [
      'scenarios/baseline.yaml',
      'scenarios/zoo',
      'connectors/register-postgres.json',
      'examples/orders',
    ])
      expect(existsSync(join(pkg, f)), f).toBe(true);
    expect(existsSync(join(pkg, 'connectors', 'es-sink', 'pom.xml'))).toBe(true);
    expect(existsSync(join(pkg, 'connectors', 'es-sink', 'target'))).toBe(false);
  });

  it('npx outbox-chaos --help prints the usage', () => {
    const r = sh(npm, ['exec', '--', 'outbox-chaos', '--help'], project);
    expect(r.code, r.say).toBe(0);
    expect(r.output).toMatch(/usage: outbox-chaos <command>/);
  });

  it('list shows the catalogue and the project’s own scenario', () => {
    const r = cli(['list']);
    expect(r.code, r.say).toBe(0);
    expect(r.output).toMatch(/^baseline\s+converged/m);
    expect(r.output).toMatch(/^my-scenario\s+converged/m);
  });

  it('run baseline --connectors ./pipeline converges on the project’s pipeline, reports in the project', () => {
    const r = cli(['run', 'baseline', '--connectors', './pipeline', '--name', stackName, '--duration', '8']);
    expect(r.code, r.say).toBe(0);
    const report = JSON.parse(readFileSync(join(project, 'reports', 'latest', 'report.json'), 'utf8')) as {
      verdict: string;
      connectorsDir: string;
    };
    expect(report.verdict).toBe('converged');
    expect(report.connectorsDir).toBe(join(project, 'pipeline'));
  });

  it('the project’s vitest test passes using the library API on the running stack', () => {
    const r = sh(npm, ['exec', '--', 'vitest', 'run'], project, { OUTBOX_CHAOS_STACK: stackName }, 900_000);
    expect(r.code, r.say).toBe(0);
    expect(r.output).toMatch(/Tests\s+.*2 passed/);
    const runs = readdirSync(join(project, 'reports')).filter((d) => /my-scenario|quick-burst/.test(d));
    expect(runs).toHaveLength(2);
  });
});

/** One step of the recipe's job, as GitHub Actions reads it. */
interface Step {
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

interface Job {
  strategy?: { matrix: { shard: number[] } };
  env?: Record<string, string>;
  steps: Step[];
}

describe('the CI recipe, executed in the project as a runner would', () => {
  it('each shard runs its share of the scenarios and the project’s tests; the merge job joins them', () => {
    const file = join(project, '.github', 'workflows', 'outbox-chaos.yml');
    const wf = parseYaml(readFileSync(file, 'utf8')) as { env: Record<string, string>; jobs: Record<string, Job> };
    const { chaos, merge } = wf.jobs as { chaos: Job; merge: Job };
    // What differs from GitHub's runner: the local provider on the shared test stack, two short scenarios on
    // two shards (one each), npm's cache instead of the registry, a file for the step summary, and artifacts
    // as directories (an upload moves reports/ to shards/<artifact>/, where download-artifact puts it).
    const summary = join(tmp, 'step-summary.md');
    const base = {
      ...wf.env,
      PROVIDER: 'local',
      SCENARIOS: 'baseline my-scenario --duration 8',
      SHARDS: '2',
      STACK: stackName,
      OUTBOX_CHAOS_STACK: stackName,
      GITHUB_STEP_SUMMARY: summary,
      npm_config_prefer_offline: 'true',
    };
    expect(chaos.strategy?.matrix.shard).toEqual([1, 2, 3, 4]);
    expect(chaos.env).toEqual({ SHARD: '${{ matrix.shard }}' });
    const ran: string[] = [];
    const runJob = (job: Job, env: Record<string, string>, label: string): void => {
      let failed = false;
      for (const step of job.steps) {
        const upload = step.uses?.startsWith('actions/upload-artifact@') && step.with?.name?.includes('matrix.shard');
        if (upload && existsSync(join(project, 'reports')))
          renameSync(join(project, 'reports'), join(project, 'shards', `outbox-chaos-reports-${env.SHARD}`));
        if (!step.run) continue; // `uses:` steps are GitHub's own actions (checkout, setup-node, artifacts)
        if (failed && step.if !== 'always()') continue;
        const r = sh('bash', ['-e', '-c', step.run], project, { ...env, ...step.env }, 900_000);
        ran.push(`${label} ${step.name ?? step.run}: exit ${r.code}`);
        expect(r.code, `${label} step "${step.name}" ${r.say}`).toBe(0);
        failed ||= r.code !== 0;
      }
    };
    // A runner starts from a checkout: no reports of the tests above.
    rmSync(join(project, 'reports'), { recursive: true, force: true });
    mkdirSync(join(project, 'shards'), { recursive: true });
    for (const shard of ['1', '2']) runJob(chaos, { ...base, SHARD: shard }, `chaos ${shard}/2`);
    runJob(merge, base, 'merge');
    expect(ran).toHaveLength(2 * 4 + 3);
    // npm ci reinstalled the tarball; each shard ran one scenario (the first also the project's 2 tests).
    expect(existsSync(join(project, 'node_modules', 'outbox-chaos', 'dist', 'harness', 'cli.js'))).toBe(true);
    const shardRows = ['1', '2'].map((n) => {
      const dir = join(project, 'shards', `outbox-chaos-reports-${n}`);
      const suite = readdirSync(dir).find((d) => d.startsWith('suite-'));
      return (JSON.parse(readFileSync(join(dir, suite!, 'suite.json'), 'utf8')) as { rows: { name: string }[] }).rows;
    });
    expect(shardRows.map((rows) => rows.length)).toEqual([1, 1]);
    // The merged suite has both, once each; the summary on the run's page is the merged one.
    const merged = readFileSync(join(project, 'reports', 'latest-suite', 'summary.md'), 'utf8');
    expect(merged).toMatch(/outbox-chaos \(2 shards\)/);
    expect(merged).toMatch(/baseline/);
    expect(merged).toMatch(/my-scenario/);
    expect(readFileSync(summary, 'utf8')).toBe(merged);
    const junit = readFileSync(join(project, 'reports', 'latest-suite', 'junit.xml'), 'utf8');
    expect(junit.match(/<testcase /g)).toHaveLength(2);
  });
});
