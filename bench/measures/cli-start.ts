/**
 * The CLI's own start: `outbox-chaos --help` as users get it (the packed tarball installed into a fresh project,
 * compiled JavaScript), beside the clone's bin (TypeScript through tsx), `npx` around the installed one (npm's
 * own start added), `npx` around a one-line bin (npm's own floor: no package starts faster through npx), and a
 * bare `node -e 0` (the floor on this machine). Wall time of each, medians of ≥ 5.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load1, metric, type BenchContext, type Measure, type MeasureOutput } from '../lib/measure.ts';
import { PROJECT_ROOT } from '../lib/paths.ts';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function must(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
}

/** The packed tarball installed into an empty project; returns the project's directory. */
function installPacked(tmp: string): string {
  must(npm, ['pack', '--pack-destination', tmp, '--loglevel=error'], PROJECT_ROOT);
  const tarball = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack left no tarball in ${tmp}`);
  const project = join(tmp, 'project');
  must('mkdir', ['-p', project], tmp);
  // A package whose bin does nothing, installed beside it: what npx costs before any package's code runs.
  const noop = join(tmp, 'noop');
  must('mkdir', ['-p', noop], tmp);
  writeFileSync(join(noop, 'package.json'), JSON.stringify({ name: 'noop', version: '1.0.0', bin: { noop: 'n.js' } }));
  writeFileSync(join(noop, 'n.js'), '#!/usr/bin/env node\n', { mode: 0o755 });
  const deps = { 'outbox-chaos': `file:${join(tmp, tarball)}`, noop: `file:${noop}` };
  const pkg = { name: 'cli-start', private: true, dependencies: deps };
  writeFileSync(join(project, 'package.json'), JSON.stringify(pkg));
  must(
    npm,
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
    project,
  );
  return project;
}

/** Seconds for one run of the command, which must exit 0. */
function timed(cmd: string, args: string[], cwd: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd, stdio: 'ignore' });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return Math.round(s * 1000) / 1000;
}

export const cliStartMeasure: Measure = {
  name: 'cli-start',
  title: 'CLI start: `outbox-chaos --help`, installed package vs the clone',
  needsStack: false,
  async run(ctx: BenchContext): Promise<MeasureOutput> {
    const tmp = mkdtempSync(join(tmpdir(), 'outbox-chaos-cli-start-'));
    try {
      ctx.log('  cli-start: npm pack and install into a fresh project …');
      const project = installPacked(tmp);
      const bin = join(project, 'node_modules', '.bin', 'outbox-chaos');
      const runs = Math.max(5, ctx.runs);
      const series = {
        installed: [] as number[],
        npx: [] as number[],
        npxFloor: [] as number[],
        clone: [] as number[],
        node: [] as number[],
      };
      const loads: number[] = [];
      for (let i = 1; i <= runs; i++) {
        loads.push(load1());
        series.installed.push(timed(bin, ['--help'], project));
        series.npx.push(timed(npm, ['exec', '--', 'outbox-chaos', '--help'], project));
        series.npxFloor.push(timed(npm, ['exec', '--', 'noop'], project));
        series.clone.push(timed(process.execPath, [join(PROJECT_ROOT, 'bin', 'outbox-chaos.mjs'), '--help'], tmp));
        series.node.push(timed(process.execPath, ['-e', '0'], tmp));
        ctx.log(
          `  cli-start run ${i}: installed ${series.installed.at(-1)} s, npx ${series.npx.at(-1)} s ` +
            `(npx of a no-op bin ${series.npxFloor.at(-1)} s), ` +
            `clone ${series.clone.at(-1)} s, node -e 0 ${series.node.at(-1)} s`,
        );
      }
      return {
        metrics: [
          metric(
            'cli-start.installed',
            'outbox-chaos --help, installed package (node_modules/.bin)',
            's',
            series.installed,
            { kind: 'max', value: 0.5 },
            undefined,
            loads,
          ),
          metric(
            'cli-start.npx',
            'npx outbox-chaos --help (npm exec added)',
            's',
            series.npx,
            undefined,
            undefined,
            loads,
          ),
          metric(
            'cli-start.npx-floor',
            'npx of a one-line bin (npm exec alone: the floor of any npx command)',
            's',
            series.npxFloor,
            undefined,
            undefined,
            loads,
          ),
          metric(
            'cli-start.clone',
            'node bin/outbox-chaos.mjs --help in the clone (tsx)',
            's',
            series.clone,
            undefined,
            undefined,
            loads,
          ),
          metric('cli-start.node', 'node -e 0 (the floor)', 's', series.node, undefined, undefined, loads),
        ],
      };
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  },
};
