import { HarnessError } from './util/errors.ts';

type Loaded = { run: (argv: string[]) => Promise<number>; help: string };
/**
 * A command's module is read only when that command runs: a command refuses bad input before the harness's
 * heavier parts (the stack, the runner, the clients) are even loaded, so a mistake costs well under a second.
 */
type Command = { load: () => Promise<Loaded>; summary: string };

const COMMANDS: Record<string, Command> = {
  start: {
    load: () => import('./cli/start.ts').then((m) => ({ run: m.startCommand, help: m.START_HELP })),
    summary: 'the main job (npm start): up, drive the pipeline, report, down',
  },
  provision: {
    load: () => import('./cli/provision.ts').then((m) => ({ run: m.provisionCommand, help: m.PROVISION_HELP })),
    summary: 'fetch and build every program the stack runs (idempotent)',
  },
  up: {
    load: () => import('./cli/up.ts').then((m) => ({ run: m.upCommand, help: m.UP_HELP })),
    summary: 'provision and start the stack, register the pipeline',
  },
  down: {
    load: () => import('./cli/down.ts').then((m) => ({ run: m.downCommand, help: m.DOWN_HELP })),
    summary: 'stop every process of the stack',
  },
  env: {
    load: () => import('./cli/env.ts').then((m) => ({ run: m.envCommand, help: m.ENV_HELP })),
    summary: 'print the endpoints as shell exports',
  },
  run: {
    load: () => import('./cli/run.ts').then((m) => ({ run: m.runCommand, help: m.RUN_HELP })),
    summary: 'run a named scenario (or --all) and write its report',
  },
  list: {
    load: () => import('./cli/list.ts').then((m) => ({ run: m.listCommand, help: m.LIST_HELP })),
    summary: 'the scenario catalogue (--faults: the fault kinds)',
  },
  report: {
    load: () => import('./cli/report.ts').then((m) => ({ run: m.reportCommand, help: m.REPORT_HELP })),
    summary: 're-render a run directory offline',
  },
  doctor: {
    load: () => import('./cli/doctor.ts').then((m) => ({ run: m.doctorCommand, help: m.DOCTOR_HELP })),
    summary: 'troubleshooting on one screen; exit 3 when unhealthy',
  },
  clean: {
    load: () => import('./cli/clean.ts').then((m) => ({ run: m.cleanCommand, help: m.CLEAN_HELP })),
    summary: 'prune old run directories (--local), or what crashed runs left on an external environment',
  },
  zoo: {
    load: () => import('./cli/zoo.ts').then((m) => ({ run: m.zooCommand, help: m.ZOO_HELP })),
    summary: 'run the bug zoo: known-bad pipelines the harness must catch',
  },
  compare: {
    load: () => import('./cli/compare.ts').then((m) => ({ run: m.compareCommand, help: m.COMPARE_HELP })),
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
  try {
    return await (await cmd.load()).run(rest);
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
