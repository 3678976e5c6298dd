import { stackOwner } from '../stack/owner.ts';
import { stopStackByName, stackDir } from '../stack/stack.ts';
import { info, warn } from '../util/log.ts';
import { parse } from './args.ts';

export const DOWN_HELP = `outbox-chaos down [--name NAME]

Stops every process of the stack (also ones left by a crashed harness) and frees its ports. Where a Docker
engine answers, also removes the containers, networks and volumes of the containers provider's stack of that
name (without --name: "containers", the containers provider's default).
Data and logs stay in the stack directory until the next \`up\`. A command still using the stack (a
foreground \`up\`, a \`run\`) is named, and notices: a run fails with exit 3, a foreground \`up\` ends.`;

export async function downCommand(argv: string[]): Promise<number> {
  const { values } = parse('down', argv, { name: { type: 'string' } });
  if (values.help) {
    console.log(DOWN_HELP);
    return 0;
  }
  const name = (values.name as string | undefined) ?? 'default';
  const owner = stackOwner(name);
  if (owner && owner.pid !== process.pid)
    warn(`stack "${name}" is in use by pid ${owner.pid} (${owner.command}); stopping it anyway`);
  const n = await stopStackByName(name);
  const { downContainers, DEFAULT_CONTAINERS_STACK } = await import('../provider/containers/down.ts');
  const ctr = await downContainers((values.name as string | undefined) ?? DEFAULT_CONTAINERS_STACK, info);
  if (ctr.problem) warn(`containers of stack "${name}": ${ctr.problem}`);
  if (n) info(`stopped stack "${name}" (${n} process group(s)); logs kept in ${stackDir(name)}/logs`);
  else if (!ctr.removed) info(`stack "${name}" was not running`);
  return 0;
}
