import { stopStackByName, stackDir } from '../stack/stack.ts';
import { info } from '../util/log.ts';
import { parse } from './args.ts';

export const DOWN_HELP = `outbox-chaos down [--name NAME]

Stops every process of the stack (also ones left by a crashed harness) and frees its ports.
Data and logs stay in the stack directory until the next \`up\`.`;

export async function downCommand(argv: string[]): Promise<number> {
  const { values } = parse('down', argv, { name: { type: 'string' } });
  if (values.help) {
    console.log(DOWN_HELP);
    return 0;
  }
  const name = (values.name as string | undefined) ?? 'default';
  const n = await stopStackByName(name);
  info(n ? `stopped stack "${name}" (${n} process group(s)); logs kept in ${stackDir(name)}/logs` : `stack "${name}" was not running`);
  return 0;
}
