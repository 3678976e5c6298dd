import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadZooEntries } from '../scenario/zoo/entries.ts';
import { ConfigError } from '../util/errors.ts';
import { intOpt, parse, PLUGIN_PATH_HELP, STACK_HELP, STACK_OPTIONS } from './args.ts';
import { InputCheck } from './inputs.ts';
import { DEFAULT_CHOICE, PROVIDER_HELP, PROVIDER_OPTIONS, providerChoice } from './provider-args.ts';
import {
  componentsFor,
  postgresFor,
  refuseOpenSearchMajor,
  resolveVersionsFor,
  VERSIONS_HELP,
  VERSIONS_OPTIONS,
  versionsOpt,
} from './versions-args.ts';
import { TOPOLOGY_HELP, TOPOLOGY_OPTIONS, topologyOpt } from './topology-args.ts';

export const ZOO_HELP = `outbox-chaos zoo [<entry>…] [--only a,b] [--control] [--json FILE] [--keep] [--name NAME]
                 [--port-base N] [--topology single|cluster] [--versions C=V,...] [--provider local|containers|external]
                 [--env FILE]

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

  <entry>…          run only these entries (names of scenarios/zoo/ directories); --only a,b the same
  --control         the control experiment: run each entry's scenario (same workload, faults, seed)
                    against the healthy pipeline (connectors/) instead; each must converge, which shows
                    that the entry's divergence comes from its misconfiguration, not from the scenario
  --json FILE       also write the outcomes as JSON
  --keep            leave a stack this command started running
${STACK_HELP}
${TOPOLOGY_HELP}
                    Entries written for a cluster (topology: cluster: unclean-leader-election, rf-1-topic)
                    run only on one; without --topology, a stack this command starts is a cluster when
                    every entry chosen is a cluster's, and a single stack leaves them out, saying so
${VERSIONS_HELP}
${PROVIDER_HELP}
${PLUGIN_PATH_HELP}

Exit codes: 0 every entry caught as expected, 1 an entry was not caught (the harness missed a bug, or the
entry no longer reproduces it), 2 bad usage or entry, 3 environment failure.`;

export async function zooCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse('zoo', argv, {
    ...STACK_OPTIONS,
    ...TOPOLOGY_OPTIONS,
    ...PROVIDER_OPTIONS,
    ...VERSIONS_OPTIONS,
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
  // Entries named as arguments or with --only: both narrow the run (an argument is never ignored).
  const named = [...positionals, ...(typeof values.only === 'string' ? values.only.split(',') : [])];
  const only = named.length ? named.map((s) => s.trim()) : undefined;
  const chosen = check.take(() => loadZooEntries(only?.filter(Boolean)), []);
  const asked = check.take(() => topologyOpt(values));
  const portBase = check.take(() => intOpt(values['port-base'], '--port-base'));
  const choice = check.take(() => providerChoice(values), DEFAULT_CHOICE);
  const versions = check.take(() => versionsOpt(values), {});
  check.take(() => refuseOpenSearchMajor(versions, 'zoo'));
  const scenarios = chosen.map((e) => e.scenario);
  const postgresMajor = check.take(() => postgresFor(versions.postgres, scenarios, choice));
  const components = check.take(() => componentsFor(versions, scenarios, choice), {});
  check.provider(choice);
  if (chosen.length === 0 && check.ok())
    check.add(
      new ConfigError(
        'the zoo is empty',
        'add scenarios/zoo/<name>/ with a scenario.yaml and the changed definition file',
      ),
    );
  const json = typeof values.json === 'string' ? values.json : undefined;
  if (json !== undefined && !existsSync(dirname(json)))
    check.add(
      new ConfigError(`--json ${json}: directory ${dirname(json)} does not exist`, 'create it, or name another file'),
    );
  check.done();
  const pins = await resolveVersionsFor(components);
  const topology = asked ?? (chosen.every((e) => e.scenario.topology === 'cluster') ? 'cluster' : 'single');

  const { runZooEntries } = await import('./zoo-run.ts');
  return runZooEntries({
    chosen,
    choice,
    control: values.control === true,
    keep: values.keep === true,
    json,
    local: {
      name: values.name as string | undefined,
      portBase,
      topology,
      topologyExplicit: asked !== undefined,
      postgresMajor,
      components: pins,
    },
  });
}
