import { ConnectClient } from '../connect/client.ts';
import { downServices, serviceConditions } from '../stack/liveness.ts';
import type { Stack } from '../stack/stack.ts';
import { readState } from '../stack/state.ts';
import { EnvError, errorMessage } from '../util/errors.ts';

const within = <T>(ms: number, p: Promise<T>): Promise<T> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms).unref(),
    ),
  ]);

/**
 * What keeps a running local stack from being healthy, empty when it is: a service dead, frozen or not
 * answering its protocol, a connector or task not RUNNING. Reads only.
 */
export async function stackProblems(stack: Stack): Promise<string[]> {
  const state = readState(stack.dir);
  if (!state) return ['no state file'];
  const problems: string[] = [];
  for (const c of serviceConditions(state)) {
    if (c.state !== 'running') {
      problems.push(`${c.service}: ${c.detail}`);
      continue;
    }
    const ok = await within(5000, stack.services[c.service]?.def.ready() ?? Promise.resolve(false)).catch(
      (err: unknown) => errorMessage(err),
    );
    if (ok !== true) problems.push(`${c.service} does not answer${typeof ok === 'string' ? ` (${ok})` : ''}`);
  }
  if (problems.length) return problems;
  const connect = new ConnectClient(stack.endpoints.connectUrl);
  const names = await connect.list();
  if (names.length === 0) problems.push('no connectors registered');
  for (const name of names) {
    const st = await connect.status(name);
    const states = [st?.connector.state ?? 'MISSING', ...(st?.tasks ?? []).map((t) => t.state)];
    if (!st?.tasks.length || states.some((s) => s !== 'RUNNING'))
      problems.push(`connector ${name}: ${states.join(', ')}${st?.tasks.length ? '' : ', no tasks'}`);
  }
  return problems;
}

/** A running stack with a service down cannot take a run: the error names each one, with its last log lines. */
export function assertServicesUp(stack: Stack): void {
  const state = readState(stack.dir);
  const down = state ? downServices(state) : [];
  if (down.length === 0) return;
  throw new EnvError(
    `stack "${stack.name}" is running with services down: ${down.map((d) => d.problem).join('; ')}`,
    `\`outbox-chaos doctor --name ${stack.name}\` shows more; \`outbox-chaos ` +
      `up --detach --name ${stack.name}\` starts the stack afresh`,
    down.map((d) => `${d.service}.log:\n${d.logTail}`).join('\n\n'),
  );
}
