import { smoke } from '../scenario/smoke.ts';
import { info } from '../util/log.ts';
import { parse } from './args.ts';
import { bringUp, printEndpoints } from './up.ts';

export const START_HELP = `outbox-chaos start

The main job behind \`npm start\`: provisions what is missing, brings a stack up, drives the seed's flow
through it (insert, update, delete a product and time each until Elasticsearch shows it), then stops the
stack. Prints where the logs are.`;

export async function startCommand(argv: string[]): Promise<number> {
  const { values } = parse('start', argv, {});
  if (values.help) {
    console.log(START_HELP);
    return 0;
  }
  const stack = await bringUp({ name: 'start' });
  try {
    printEndpoints(stack);
    const r = await smoke(stack.endpoints);
    info(`\nend-to-end: insert searchable after ${r.insertVisibleMs} ms, update after ${r.updateVisibleMs} ms, delete after ${r.deleteVisibleMs} ms`);
  } finally {
    await stack.stop();
  }
  info(`service logs: ${stack.dir}/logs/`);
  return 0;
}
