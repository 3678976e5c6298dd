import { cleanCommand, CLEAN_HELP } from './cli/clean.ts';
import { guardOutput } from './util/log.ts';
import { compareCommand, COMPARE_HELP } from './cli/compare.ts';
import { doctorCommand, DOCTOR_HELP } from './cli/doctor.ts';
import { downCommand, DOWN_HELP } from './cli/down.ts';
import { envCommand, ENV_HELP } from './cli/env.ts';
import { listCommand, LIST_HELP } from './cli/list.ts';
import { reportCommand, REPORT_HELP } from './cli/report.ts';
import { runCommand, RUN_HELP } from './cli/run.ts';
import { provisionCommand, PROVISION_HELP } from './cli/provision.ts';
import { startCommand, START_HELP } from './cli/start.ts';
import { upCommand, UP_HELP } from './cli/up.ts';
import { zooCommand, ZOO_HELP } from './cli/zoo.ts';
import { HarnessError } from './util/errors.ts';

type Command = { run: (argv: string[]) => Promise<number>; help: string; summary: string };

const COMMANDS: Record<string, Command> = {
  start: {
    run: startCommand,
    help: START_HELP,
    summary: 'the main job (npm start): up, drive the pipeline, report, down',
  },
  provision: {
    run: provisionCommand,
    help: PROVISION_HELP,
    summary: 'fetch and build every program the stack runs (idempotent)',
  },
  up: { run: upCommand, help: UP_HELP, summary: 'provision and start the stack, register the pipeline' },
  down: { run: downCommand, help: DOWN_HELP, summary: 'stop every process of the stack' },
  env: { run: envCommand, help: ENV_HELP, summary: 'print the endpoints as shell exports' },
  run: { run: runCommand, help: RUN_HELP, summary: 'run a named scenario (or --all) and write its report' },
  list: { run: listCommand, help: LIST_HELP, summary: 'the scenario catalogue (--faults: the fault kinds)' },
  report: { run: reportCommand, help: REPORT_HELP, summary: 're-render a run directory offline' },
  doctor: { run: doctorCommand, help: DOCTOR_HELP, summary: 'troubleshooting on one screen; exit 3 when unhealthy' },
  clean: {
    run: cleanCommand,
    help: CLEAN_HELP,
    summary: 'prune old run directories (--local), or what crashed runs left on an external environment',
  },
  zoo: { run: zooCommand, help: ZOO_HELP, summary: 'run the bug zoo: known-bad pipelines the harness must catch' },
  compare: {
    run: compareCommand,
    help: COMPARE_HELP,
    summary: 'one scenario (or several) against several pipeline definitions, side by side',
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return `outbox-chaos — chaos and convergence tests for a Debezium outbox pipeline
(Postgres → Debezium → Kafka → Elasticsearch sink → Elasticsearch, Toxiproxy on every hop)

usage: outbox-chaos <command> [options]     (outbox-chaos <command> --help for details)

${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  .join('\n')}

exit codes: 0 ok / converged within budget, 1 verdict failed, 2 bad usage or config, 3 environment failure,
4 (run) nothing failed but a scenario was skipped`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    console.error(`unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (name !== 'env') guardOutput();
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof HarnessError) {
      console.error(`\nerror: ${err.message}`);
      if (err.details)
        console.error(
          `\n${err.details
            .split('\n')
            .map((l) => `  | ${l}`)
            .join('\n')}\n`,
        );
      if (err.fix) console.error(`fix: ${err.fix}`);
      return err.exitCode;
    }
    console.error(err);
    return 3;
  }
}
