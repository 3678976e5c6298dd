import type { Provider } from '../provider/interface.ts';
import { openProvider, type LocalOptions, type ProviderChoice } from '../provider/open.ts';
import { mayBeCluster, traitsOf } from '../provider/traits.ts';
import { info } from '../util/log.ts';

/**
 * The chosen provider, opened for one command; `release()` stops what this command started, unless --keep
 * asked to leave it and the provider can be kept.
 */
export async function openForCommand(
  choice: ProviderChoice,
  opts: LocalOptions,
  keep: boolean,
): Promise<{ provider: Provider; owned: boolean; release: () => Promise<void> }> {
  const { provider, owned } = await openProvider(choice, opts);
  const leave = owned && !(keep && traitsOf(choice).keepable);
  return {
    provider,
    owned,
    release: async () => {
      if (leave) await provider.stop();
    },
  };
}

/**
 * What of `items` the provider can run: everything on a cluster (or an environment that may be one), else
 * all but those written for a cluster, saying which were left out (`note` gets their count and names).
 */
export function runnableOn<T>(
  items: readonly T[],
  provider: Provider,
  o: { isCluster: (t: T) => boolean; name: (t: T) => string; note: (left: number, names: string) => string },
): T[] {
  if (mayBeCluster(provider)) return [...items];
  const kept = items.filter((t) => !o.isCluster(t));
  if (kept.length < items.length)
    info(o.note(items.length - kept.length, items.filter(o.isCluster).map(o.name).join(', ')));
  return kept;
}
