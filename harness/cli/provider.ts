import { openExternal } from '../provider/external.ts';
import { localProvider } from '../provider/local.ts';
import type { Provider } from '../provider/provider.ts';
import { attachStack, type Stack } from '../stack/stack.ts';
import { info } from '../util/log.ts';
import type { ProviderChoice } from './provider-args.ts';
import { bringUp } from './up.ts';

/**
 * A provider to run on, and whether this command started it (and so must stop it). local: the stack that
 * `up --detach` left running, else a new one; containers: new containers; external: the environment as it is.
 */
export async function openProvider(choice: ProviderChoice, opts: { name?: string; portBase?: number; connectors?: string }): Promise<{ provider: Provider; owned: boolean }> {
  if (choice.kind === 'external') {
    const provider = await openExternal(choice.env as string);
    info(`using ${provider.label}: ${Object.entries(provider.versions).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    return { provider, owned: false };
  }
  if (choice.kind === 'containers') {
    // Loaded on demand: testcontainers is heavy, and only this provider needs it.
    const { openContainers } = await import('../provider/containers/open.ts');
    return { provider: await openContainers({ portBase: opts.portBase }), owned: true };
  }
  const { stack, owned } = await obtainStack(opts);
  return { provider: localProvider(stack), owned };
}

/** A local stack to run on: the detached one if it is up, or a new one this command owns. */
export async function obtainStack(opts: { name?: string; portBase?: number; connectors?: string }): Promise<{ stack: Stack; owned: boolean }> {
  const attached = await attachStack(opts.name);
  if (attached) {
    info(`using the running stack "${attached.name}"`);
    return { stack: attached, owned: false };
  }
  return { stack: await bringUp(opts), owned: true };
}
