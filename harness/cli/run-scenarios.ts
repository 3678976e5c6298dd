import { ScenarioSkipped } from '../faults/capabilities.ts';
import type { Provider } from '../provider/interface.ts';
import type { LocalOptions, ProviderChoice } from '../provider/open.ts';
import { nonDefault, type ComponentPins } from '../provision/component-versions.ts';
import { providerFlags, traitsOf } from '../provider/traits.ts';
import { DEFAULT_OS_MAJOR } from '../provision/opensearch-versions.ts';
import { DEFAULT_PG_MAJOR } from '../provision/pg-versions.ts';
import { renderMarkdown } from '../report/markdown.ts';
import type { ShardRecord } from '../report/suite/model.ts';
import { writeSuite } from '../report/suite/write.ts';
import { runScenario, type RunOptions, type RunResult } from '../scenario/runner.ts';
import type { Scenario } from '../scenario/schema.ts';
import { shrinkFailingRun } from '../scenario/shrink-run.ts';
import { info, warn } from '../util/log.ts';
import { interruptGuard } from '../util/signals.ts';
import { openForCommand, runnableOn } from './on-provider.ts';

/** What `run` was asked, every input already checked (run.ts). */
export interface RunInputs {
  scenarios: Scenario[];
  /** As named on the command line (or the whole catalogue, --all). */
  names: string[];
  all: boolean;
  /** `--shard I/N`: this runner's share (already taken from the scenarios named), kept in the suite. */
  shard?: ShardRecord;
  keep: boolean;
  shrink: boolean;
  seed?: number;
  durationS?: number;
  rate?: number;
  connectors?: string;
  choice: ProviderChoice;
  local: LocalOptions;
}

function replayCommand(
  s: Scenario,
  seed: number,
  o: {
    duration?: number;
    rate?: number;
    connectors?: string;
    choice: ProviderChoice;
    cluster?: boolean;
    postgres?: string;
    /** Exact versions other than the manifest's (a scenario's pattern may resolve differently later). */
    components?: ComponentPins;
    opensearch?: boolean;
    /** The OpenSearch major the stack runs (its version's first number). */
    opensearchMajor?: string;
  },
): string {
  const parts = ['npx outbox-chaos run', s.name, `--seed ${seed}`];
  if (o.cluster && s.topology !== 'cluster') parts.push('--topology cluster');
  if (o.postgres && o.postgres !== s.versions?.postgres) parts.push(`--versions postgres=${o.postgres}`);
  const pinned = Object.entries(o.components ?? {});
  if (pinned.length) parts.push(`--versions ${pinned.map(([c, v]) => `${c}=${v}`).join(',')}`);
  parts.push(...providerFlags(o.choice));
  // The local stack's engine is chosen by flag: a replay on the default (Elasticsearch) would not be the same run.
  if (o.opensearch) parts.push('--search opensearch');
  // The default major needs no flag; another one does.
  if (o.opensearch && o.opensearchMajor && o.opensearchMajor !== DEFAULT_OS_MAJOR)
    parts.push(`--versions opensearch=${o.opensearchMajor}`);
  if (o.duration !== undefined) parts.push(`--duration ${o.duration}`);
  if (o.rate !== undefined) parts.push(`--rate ${o.rate}`);
  if (o.connectors) parts.push(`--connectors ${o.connectors}`);
  return parts.join(' ');
}

/** The Postgres major of a local stack, when a replay must ask for it: any but the default. */
function pgMajorToReplay(choice: ProviderChoice, versions: Record<string, string>): string | undefined {
  const major = versions.postgres?.split('.')[0];
  return traitsOf(choice).choosesVersions && major !== DEFAULT_PG_MAJOR ? major : undefined;
}

function withoutPartitions(scenarios: Scenario[], provider: Provider): Scenario[] {
  if (provider.capabilities.isolate?.length) return scenarios;
  const left = scenarios.filter((s) => s.needs.includes('isolation'));
  if (left.length)
    info(
      `  --all on the ${provider.kind} provider: ${left.length} partition scenario(s) left out ` +
        `(${left.map((s) => s.name).join(', ')}); \`run --all --provider containers\` runs them`,
    );
  return scenarios.filter((s) => !left.includes(s));
}

/** Opens the provider, runs each scenario on it, prints and writes the reports; the exit code of `run`. */
export async function runScenarios(o: RunInputs): Promise<number> {
  const { scenarios: loaded, names, seed, durationS, rate, connectors, choice } = o;
  const { provider, release } = await openForCommand(choice, o.local, o.keep);
  // --all: the catalogue for the stack it runs on; a single stack leaves the cluster's scenarios out, and a
  // provider that cannot partition a service the partition scenarios (written for containers), saying so.
  const scenarios = !o.all
    ? loaded
    : withoutPartitions(
        runnableOn(loaded, provider, {
          isCluster: (s) => s.topology === 'cluster',
          name: (s) => s.name,
          note: (n, list) =>
            `  --all on a single stack: ${n} cluster scenario(s) left out (${list}); ` +
            '`run --all --topology cluster` runs them',
        }),
        provider,
      );
  // Ctrl-C / SIGTERM: the run in progress heals every fault and writes its partial report (marked
  // interrupted), what this command started is stopped below, and only then does the process exit.
  const abort = interruptGuard();
  const results: RunResult[] = [];
  const skipped: ScenarioSkipped[] = [];
  try {
    for (const scenario of scenarios) {
      if (abort.signal.aborted) break;
      const s = seed ?? scenario.seed;
      const opts: RunOptions = {
        scenario,
        provider,
        allowDestructive: choice.allowDestructive,
        keepObjects: o.keep,
        connectorsDir: connectors,
        seed: s,
        durationMs: durationS !== undefined ? durationS * 1000 : undefined,
        ratePerSec: rate,
        replay: replayCommand(scenario, s, {
          duration: durationS,
          rate,
          connectors,
          choice,
          cluster: provider.topology === 'cluster',
          postgres: pgMajorToReplay(choice, provider.versions),
          components: traitsOf(choice).choosesVersions ? nonDefault(provider.versions) : undefined,
          // --search chooses the engine of a stack the harness starts and names (the detachable one: local).
          opensearch: traitsOf(choice).detachable && 'opensearch' in provider.versions,
          opensearchMajor: provider.versions.opensearch?.split('.')[0],
        }),
        signal: abort.signal,
      };
      let r: RunResult;
      try {
        r = await runScenario(opts);
      } catch (err) {
        if (!(err instanceof ScenarioSkipped)) throw err;
        skipped.push(err);
        warn(`⊘ ${err.message}`);
        continue;
      }
      results.push(r);
      console.log(`\n${renderMarkdown(r.report)}`);
      info(`report: ${r.runDir}/index.html`);
      if (o.shrink && !r.report.passed && scenario.randomFaults && !abort.signal.aborted)
        await shrinkFailingRun(opts, r);
    }
  } finally {
    await release();
    abort.release();
  }
  // A shard writes its suite even for one scenario: `report --merge` needs every runner's.
  if (results.length + skipped.length > 1 || o.shard) {
    const suite = writeSuite(
      results.map((r) => ({ report: r.report, runDir: r.runDir })),
      {
        title:
          (o.all ? 'run --all' : `run ${names.join(' ')}`) +
          (o.shard ? ` --shard ${o.shard.index}/${o.shard.count}` : ''),
        kind: 'run',
        shard: o.shard,
        skipped: skipped.map((k) => ({ name: k.scenario, reason: k.reasons.join('; ') })),
      },
    );
    info(`\nsuite report: ${suite}/index.html (and summary.md, junit.xml)`);
    info('\nsummary:');
    for (const r of results)
      info(
        `  ${r.report.passed ? '✔' : '✘'} ${r.report.scenario.padEnd(24)} ${r.report.verdict.padEnd(15)} ${r.runDir}`,
      );
    for (const k of skipped) info(`  ⊘ ${k.scenario.padEnd(24)} skipped         ${k.reasons.join('; ')}`);
  }
  if (!results.every((r) => r.report.passed)) return 1;
  return skipped.length ? 4 : 0;
}
