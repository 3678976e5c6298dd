import { NEED_PROVIDERS } from '../faults/kind.ts';
import { FAULT_KINDS } from '../faults/registry.ts';
import { listScenarios, loadScenario } from '../scenario/load.ts';
import { parse } from './args.ts';

export const LIST_HELP = `outbox-chaos list [--faults]

The scenario catalogue, one line each: name, expected verdict, what the provider must offer (process: control
of the programs, i.e. --provider local or containers; network: a Toxiproxy on the hops; partition: cutting a
container off its network, --provider containers), description.
--faults lists the fault kinds: targets, what they need and which providers offer it, the evidence that proves
each took effect.`;

export async function listCommand(argv: string[]): Promise<number> {
  const { values } = parse('list', argv, { faults: { type: 'boolean' } });
  if (values.help) {
    console.log(LIST_HELP);
    return 0;
  }
  if (values.faults) {
    for (const k of FAULT_KINDS) {
      const needs = `${k.needs}${k.topology === 'cluster' ? ' on a cluster' : ''} (${NEED_PROVIDERS[k.needs]})`;
      const where = `targets: ${k.targets.join(', ')}; needs: ${needs}`;
      console.log(`${k.kind.padEnd(26)} ${k.summary}  [${where}; evidence: ${k.evidence.join(', ')}]`);
      for (const p of k.params)
        console.log(`${''.padEnd(28)}${p.name} (${p.unit}${p.required ? ', required' : ''}): ${p.doc}`);
    }
    return 0;
  }
  const all = listScenarios().map((s) => loadScenario(s.file));
  const width = Math.max(...all.map((s) => s.name.length));
  const needs = (s: (typeof all)[number]) =>
    s.needs
      .map((n) => ({ 'process-control': 'process', toxiproxy: 'network', isolation: 'partition' })[n])
      .sort()
      .join('+') || '-';
  for (const s of all)
    console.log(`${s.name.padEnd(width)}  ${s.expect.verdict.padEnd(9)}  ${needs(s).padEnd(15)}  ${s.description}`);
  return 0;
}
