import { splitTarget } from '../stack/targets.ts';
import { describeDraw, EVIDENCE, type Evidence, type FaultKind, NEED_PROVIDERS } from './kind.ts';

/** Plain targets, then a cluster's roles grouped by service: "pg, kafka, es; cluster: kafka@1|2|follower". */
function targetsText(targets: readonly string[]): string {
  const plain = targets.filter((t) => !t.includes('@'));
  const roles = new Map<string, string[]>();
  for (const t of targets.filter((x) => x.includes('@'))) {
    const { service, role } = splitTarget(t);
    roles.set(service, [...(roles.get(service) ?? []), role!]);
  }
  const cluster = [...roles].map(([service, r]) => `${service}@${r.join('\\|')}`);
  return [plain.join(', '), cluster.length ? `cluster: ${cluster.join(', ')}` : ''].filter(Boolean).join('; ');
}

function paramsText(def: FaultKind): string {
  return def.params.map((p) => `\`${p.name}\` (${p.unit}${p.required ? ', required' : ''})`).join(', ') || '—';
}

function randomText(def: FaultKind): string {
  const draws = Object.entries(def.random ?? {});
  return draws.map(([name, d]) => `${name} ${describeDraw(d)}`.replaceAll('|', '\\|')).join(', ') || '—';
}

function exampleText(def: FaultKind): string {
  const fields = Object.entries(def.example).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : String(v)}`);
  return `\`{ kind: ${def.kind}${fields.length ? `, ${fields.join(', ')}` : ''} }\``;
}

/**
 * The table of fault kinds in docs/fault-kinds.md, generated from the definitions (a test keeps the page equal to
 * it), followed by the meaning of every evidence the kinds declare.
 */
export function faultKindsMarkdown(kinds: readonly FaultKind[]): string {
  const rows = kinds.map((k) =>
    [
      `\`${k.kind}\``,
      k.summary.replaceAll('|', '\\|'),
      targetsText(k.targets),
      `${k.needs} (${NEED_PROVIDERS[k.needs]})${k.topology === 'cluster' ? ', cluster' : ''}` +
        (k.instantaneous ? ', instantaneous' : ''),
      paramsText(k),
      randomText(k),
      k.evidence.map((e) => `\`${e}\``).join(', '),
      exampleText(k),
    ].join(' | '),
  );
  const used = [...new Set(kinds.flatMap((k) => k.evidence))];
  return [
    '| kind | what it does | targets | needs | parameters | random-chaos draws | evidence | example |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r} |`),
    '',
    '| evidence | what the observers must see |',
    '| --- | --- |',
    ...used.map((e: Evidence) => `| \`${e}\` | ${EVIDENCE[e]} |`),
  ].join('\n');
}
