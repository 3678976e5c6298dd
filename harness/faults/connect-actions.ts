import { EnvError } from '../util/errors.ts';

/**
 * The Connect REST calls connector faults make, over fetch with status checks. Not ConnectClient's
 * pause/resume/stop/restart: axios labels their empty bodies application/x-www-form-urlencoded, Connect
 * answers 415, and pause/resume/stop do not look at the status, so the fault would silently not happen.
 */
export type ConnectorAction = 'pause' | 'resume' | 'stop' | 'restart';

export async function connectorAction(connectUrl: string, name: string, action: ConnectorAction): Promise<void> {
  const path = `/connectors/${encodeURIComponent(name)}/${action}${action === 'restart' ? '?includeTasks=true&onlyFailed=false' : ''}`;
  let res: Response;
  try {
    res = await fetch(`${connectUrl}${path}`, { method: action === 'restart' ? 'POST' : 'PUT', signal: AbortSignal.timeout(30_000) });
  } catch (err) {
    throw new EnvError(`Kafka Connect at ${connectUrl} is unreachable (${action} ${name}): ${(err as Error).message}`);
  }
  if (res.ok) return;
  const text = await res.text();
  let msg = text;
  try {
    msg = (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    /* not JSON: keep the text */
  }
  throw new EnvError(`Kafka Connect refused to ${action} connector ${name} (HTTP ${res.status}): ${msg || 'no message'}`);
}
