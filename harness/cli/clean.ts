import { openExternal } from '../provider/external.ts';
import { traitsOf } from '../provider/traits.ts';
import { findLeftovers, listObjects, removeLeftover, type Leftover } from '../provider/leftovers.ts';
import { reportsRoot } from '../record/paths.ts';
import { keepRuns, pruneRuns } from '../record/retention.ts';
import { ConfigError } from '../util/errors.ts';
import { info } from '../util/log.ts';
import { intOpt, parse } from './args.ts';
import { PROVIDER_OPTIONS, providerChoice } from './provider-args.ts';

export const CLEAN_HELP = `outbox-chaos clean --provider external --env FILE [--older-than MINUTES] [--yes]
outbox-chaos clean --local [--keep N]

Finds what runs left on an external environment (a harness that crashed, a run with --keep): connectors,
replication slots, publications, tables, indices and topics named after a run's tag (oc + start time +
two random digits), grouped by run. Without --yes it only lists them. With --yes it removes those of runs
that started more than --older-than minutes ago (default 60, so that a run in progress elsewhere keeps its
objects), the way the run itself would have: connectors stopped, their offsets and the connectors deleted,
then slot, publication, table, index and topics dropped. Nothing without a run's tag is ever touched.
(A local or containers stack needs no cleaning: every run resets it.)

--local prunes the run directories under reports/ (or OUTBOX_CHAOS_REPORTS) to the newest N (default
OUTBOX_CHAOS_KEEP_RUNS, else 50), as every run does when it starts; the run reports/latest points at, runs
still in progress and anything not named like a run (suite reports, JSON files) are kept.

  --provider external, --env FILE   the environment (see \`outbox-chaos up --help\`)
  --older-than MINUTES              only runs that started at least this long ago (default 60)
  --yes                             remove, instead of listing
  --local                           prune local run directories instead
  --keep N                          with --local: how many runs to keep
  --allow-destructive               no effect: clean only ever removes objects named after a run's tag
  --images SET                      no effect: clean starts no containers`;

function cleanLocal(keep: number): number {
  if (keep < 1) throw new ConfigError('--keep must be at least 1', 'e.g. --keep 20');
  const r = pruneRuns(keep);
  const mb = (r.bytes / 1e6).toFixed(1);
  info(
    r.removed.length
      ? `removed ${r.removed.length} run director${r.removed.length === 1 ? 'y' : 'ies'} ` +
          `(${mb} MB) from ${reportsRoot()}; ${r.kept} kept`
      : `nothing to remove: ${r.kept} run(s) in ${reportsRoot()}, keeping up to ${keep}`,
  );
  return 0;
}

function describe(l: Leftover, now: number): string {
  const o = l.objects;
  const parts = Object.entries(o)
    .filter(([, v]) => v.length)
    .map(([k, v]) => `${v.length} ${k}`);
  return (
    `${l.tag}  started ${new Date(l.startedAt).toISOString()} ` +
    `(${Math.round((now - l.startedAt) / 60_000)} min ago): ${parts.join(', ')}`
  );
}

export async function cleanCommand(argv: string[]): Promise<number> {
  const { values } = parse('clean', argv, {
    ...PROVIDER_OPTIONS,
    'older-than': { type: 'string' },
    yes: { type: 'boolean' },
    local: { type: 'boolean' },
    keep: { type: 'string' },
  });
  if (values.help) {
    console.log(CLEAN_HELP);
    return 0;
  }
  if (values.local) return cleanLocal(intOpt(values.keep, '--keep') ?? keepRuns());
  const choice = providerChoice(values);
  if (!traitsOf(choice).cleansLeftovers)
    throw new ConfigError(
      'clean is for --provider external --env FILE, or --local (run directories)',
      'a local or containers stack is reset by every run (and by `down` + `up`)',
    );
  const olderThan = intOpt(values['older-than'], '--older-than') ?? 60;
  if (olderThan < 0) throw new ConfigError('--older-than must be ≥ 0 minutes');
  const provider = await openExternal(choice.env as string);
  const now = Date.now();
  const all = findLeftovers(await listObjects(provider.endpoints));
  const due = all.filter((l) => now - l.startedAt >= olderThan * 60_000);
  if (all.length === 0) {
    info('no leftovers of earlier runs');
    return 0;
  }
  for (const l of all)
    info(
      `${due.includes(l) ? '✗' : '·'} ` +
        `${describe(l, now)}${due.includes(l) ? '' : `  (younger than ${olderThan} min: kept)`}`,
    );
  if (!values.yes) {
    info(`\n${due.length} run(s) to remove; nothing was changed. Add --yes to remove them.`);
    return 0;
  }
  for (const l of due) {
    await removeLeftover(provider.endpoints, l);
    info(`removed ${l.tag}`);
  }
  return 0;
}
