import { writeFileSync } from 'node:fs';
import { writeSuite } from '../report/suite/write.ts';
import { loadZooEntries, type ZooEntry } from '../scenario/zoo/entries.ts';
import { runZoo } from '../scenario/zoo/run.ts';
import { missedEntries, outcomesJson, summaryTable, zooLine, zooSuiteRuns } from '../scenario/zoo/summary.ts';
import { ConfigError } from '../util/errors.ts';
import { info } from '../util/log.ts';
import { interruptGuard } from '../util/signals.ts';
import { intOpt, parse, STACK_OPTIONS } from './args.ts';
import { InputCheck } from './inputs.ts';
import { openForCommand, runnableOn } from './on-provider.ts';
import { DEFAULT_CHOICE, PROVIDER_HELP, PROVIDER_OPTIONS, providerChoice } from './provider-args.ts';
import { TOPOLOGY_HELP, TOPOLOGY_OPTIONS, topologyOpt } from './topology-args.ts';

export const ZOO_HELP = `outbox-chaos zoo [--only a,b] [--control] [--json FILE] [--keep] [--name NAME] [--port-base N]
                 [--topology single|cluster] [--provider local|containers|external] [--env FILE]

The bug zoo: proves the harness's checks can fail. Each entry in scenarios/zoo/<name>/ is a pipeline
definition that differs from the healthy one (connectors/) in one deliberate way, plus a scenario.yaml
that says what the harness must see: a verdict (diverged) and the anomaly classes the bug causes. Runs
every entry on one stack, one after another, and prints expected vs observed for each (verdict, anomaly
classes with counts, example product_ids), then a summary table, and writes a suite report over the entries
(reports/suite-<time>-zoo/: index.html, summary.md, junit.xml; reports/latest-suite).

An entry may carry a zoo.yaml with expectations beyond the scenario's:
  failedTask: sink|source   that connector's task must end FAILED, with a trace in the report
  mustPass: false           a reproduction attempt: reported, but never fails the zoo

Uses the stack that \`up --detach\` left running (and registers the healthy pipeline again at the end);
otherwise starts one and stops it at the end (--keep leaves it up).

  --only a,b        run only these entries (names of scenarios/zoo/ directories)
  --control         the control experiment: run each entry's scenario (same workload, faults, seed)
                    against the healthy pipeline (connectors/) instead; each must converge, which shows
                    that the entry's divergence comes from its misconfiguration, not from the scenario
  --json FILE       also write the outcomes as JSON
  --keep            leave a stack this command started running
${TOPOLOGY_HELP}
                    Entries written for a cluster (topology: cluster: unclean-leader-election, rf-1-topic)
                    run only on one; without --topology, a stack this command starts is a cluster when
                    every entry chosen is a cluster's, and a single stack leaves them out, saying so
${PROVIDER_HELP}

Exit codes: 0 every entry caught as expected, 1 an entry was not caught (the harness missed a bug, or the
entry no longer reproduces it), 2 bad usage or entry, 3 environment failure.`;

export async function zooCommand(argv: string[]): Promise<number> {
  const { values } = parse('zoo', argv, {
    ...STACK_OPTIONS,
    ...TOPOLOGY_OPTIONS,
    ...PROVIDER_OPTIONS,
    only: { type: 'string' },
    control: { type: 'boolean' },
    json: { type: 'string' },
    keep: { type: 'boolean' },
  });
  if (values.help) {
    console.log(ZOO_HELP);
    return 0;
  }
  const check = new InputCheck();
  const only =
    typeof values.only === 'string'
      ? values.only
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined;
  const chosen = check.take(() => loadZooEntries(only), []);
  const asked = check.take(() => topologyOpt(values));
  const portBase = check.take(() => intOpt(values['port-base'], '--port-base'));
  const choice = check.take(() => providerChoice(values), DEFAULT_CHOICE);
  check.envFile(choice);
  if (chosen.length === 0 && check.ok())
    check.add(
      new ConfigError(
        'the zoo is empty',
        'add scenarios/zoo/<name>/ with a scenario.yaml and the changed definition file',
      ),
    );
  check.done();
  const isCluster = (e: ZooEntry) => e.scenario.topology === 'cluster';
  const topology = asked ?? (chosen.every(isCluster) ? 'cluster' : 'single');
  const control = values.control === true;

  const opts = { name: values.name as string | undefined, portBase, topology, topologyExplicit: asked !== undefined };
  const { provider, owned, release } = await openForCommand(choice, opts, values.keep === true);
  const entries = runnableOn(chosen, provider, {
    isCluster,
    name: (e) => e.name,
    note: (n, list) =>
      `  a single stack: ${n} cluster entr${n === 1 ? 'y' : 'ies'} left out (${list}); ` +
      '`zoo --topology cluster` runs them',
  });
  // Ctrl-C / SIGTERM: the entry in progress heals its faults and writes its partial report; the process
  // exits once that and the stop below are done.
  const abort = interruptGuard();
  let outcomes;
  try {
    outcomes = await runZoo(entries, provider, { control, borrowed: !owned, signal: abort.signal });
  } finally {
    await release();
    abort.release();
  }
  console.log(`\n${summaryTable(outcomes)}\n`);
  if (outcomes.length) {
    const suite = writeSuite(zooSuiteRuns(outcomes), {
      title: control ? 'bug zoo (control runs on the healthy pipeline)' : 'bug zoo',
      kind: 'zoo',
    });
    info(`suite report: ${suite}/index.html (and summary.md, junit.xml)`);
  }
  if (typeof values.json === 'string') {
    writeFileSync(values.json, `${JSON.stringify(outcomesJson(outcomes), null, 2)}\n`);
    info(`wrote ${values.json}`);
  }
  console.log(zooLine(outcomes, control));
  if (abort.signal.aborted) return 130;
  return missedEntries(outcomes).length === 0 && outcomes.length === entries.length ? 0 : 1;
}
