import { guardOutput } from './util/log.ts';
import { HarnessError } from './util/errors.ts';

/**
 * Each command's module is loaded only when that command runs, so that `outbox-chaos --help` (and every
 * command) does not pay for loading the clients of all the others.
 */
type Command = { load: () => Promise<{ run: (argv: string[]) => Promise<number> }>; summary: string };

const COMMANDS: Record<string, Command> = {
  start: {
    load: async () => ({ run: (await import('./cli/start.ts')).startCommand }),
    summary: 'the main job (npm start): up, drive the pipeline, report, down',
  },
  provision: {
    load: async () => ({ run: (await import('./cli/provision.ts')).provisionCommand }),
    summary: 'fetch and build every program the stack runs (idempotent)',
  },
  up: {
    load: async () => ({ run: (await import('./cli/up.ts')).upCommand }),
    summary: 'provision and start the stack, register the pipeline',
  },
  down: {
    load: async () => ({ run: (await import('./cli/down.ts')).downCommand }),
    summary: 'stop every process of the stack',
  },
  env: {
    load: async () => ({ run: (await import('./cli/env.ts')).envCommand }),
    summary: 'print the endpoints as shell exports',
  },
  run: {
    load: async () => ({ run: (await import('./cli/run.ts')).runCommand }),
    summary: 'run a named scenario (or --all) and write its report',
  },
  list: {
    load: async () => ({ run: (await import('./cli/list.ts')).listCommand }),
    summary: 'the scenario catalogue (--faults: the fault kinds)',
  },
  report: {
    load: async () => ({ run: (await import('./cli/report.ts')).reportCommand }),
    summary: 're-render a run directory offline',
  },
  doctor: {
    load: async () => ({ run: (await import('./cli/doctor.ts')).doctorCommand }),
    summary: 'troubleshooting on one screen; exit 3 when unhealthy',
  },
  clean: {
    load: async () => ({ run: (await import('./cli/clean.ts')).cleanCommand }),
    summary: 'prune old run directories (--local), or what crashed runs left on an external environment',
  },
  zoo: {
    load: async () => ({ run: (await import('./cli/zoo.ts')).zooCommand }),
    summary: 'run the bug zoo: known-bad pipelines the harness must catch',
  },
  compare: {
    load: async () => ({ run: (await import('./cli/compare.ts')).compareCommand }),
    summary: 'one scenario (or several) against several pipeline definitions, side by side',
  },
  capacity: {
    load: async () => ({ run: (await import('./cli/capacity.ts')).capacityCommand }),
    summary: 'how much load the pipeline takes, and which hop gives out first (a stepped-load search)',
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
