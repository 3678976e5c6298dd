import axios, { type AxiosInstance } from 'axios';
import { ConfigError, EnvError } from '../util/errors.ts';

export interface TaskStatus {
  id: number;
  state: string;
  worker_id: string;
  trace?: string;
}

export interface ConnectorStatus {
  name: string;
  connector: { state: string; worker_id: string; trace?: string };
  tasks: TaskStatus[];
  type: string;
}

export type ConnectorConfig = Record<string, string>;

/** One committed offset as the offsets API lists it: a Kafka topic partition (sink) or a source's partition. */
export interface ConnectorOffset {
  partition: Record<string, unknown>;
  offset: Record<string, unknown>;
}

/**
 * The Kafka Connect REST API, as far as the harness needs it. Errors name the connector and Connect's reason.
 * `url` may list several workers of one group, comma-separated: a worker that does not answer (killed,
 * frozen) is skipped for the next, as a load balancer in front of a Connect cluster would.
 */
export class ConnectClient {
  private readonly http: AxiosInstance[];
  /** The worker that answered last is asked first. */
  private first = 0;

  constructor(readonly url: string) {
    this.http = url
      .split(',')
      .map((u) =>
        axios.create({ baseURL: u.trim(), timeout: url.includes(',') ? 10_000 : 30_000, validateStatus: () => true }),
      );
  }

  private async call<T>(
    method: 'get' | 'put' | 'post' | 'delete',
    path: string,
    data?: unknown,
  ): Promise<{ status: number; data: T }> {
    let last: unknown;
    for (let i = 0; i < this.http.length; i++) {
      const at = (this.first + i) % this.http.length;
      try {
        // Connect's REST API consumes JSON only: a body-less PUT/POST without this header is answered 415.
        const r = await (this.http[at] as AxiosInstance).request<T>({
          method,
          url: path,
          data,
          headers: { 'content-type': 'application/json', accept: 'application/json' },
        });
        this.first = at;
        return { status: r.status, data: r.data };
      } catch (err) {
        last = err;
      }
    }
    throw new EnvError(
      `Kafka Connect at ${this.url} is unreachable (${method.toUpperCase()} ${path}): ${(last as Error).message}`,
      'is the stack up? run `outbox-chaos doctor`',
    );
  }

  async list(): Promise<string[]> {
    const r = await this.call<string[]>('get', '/connectors');
    if (r.status !== 200) throw new EnvError(`GET /connectors answered ${r.status}`);
    return r.data;
  }

  /** The connector classes the worker has installed (source and sink plugins). */
  async plugins(): Promise<string[]> {
    const r = await this.call<{ class: string }[]>('get', '/connector-plugins');
    if (r.status !== 200) throw new EnvError(`GET /connector-plugins answered ${r.status}`);
    return r.data.map((p) => p.class);
  }

  /** The config keys a connector class declares (its ConfigDef), with their types; empty when not answered. */
  async pluginConfig(cls: string): Promise<{ name: string; type: string }[]> {
    const r = await this.call<{ name: string; type: string }[]>(
      'get',
      `/connector-plugins/${encodeURIComponent(cls)}/config`,
    );
    return r.status === 200 && Array.isArray(r.data) ? r.data : [];
  }

  /** Creates or updates a connector (PUT is idempotent). A config Connect rejects is the user's error: exit 2. */
  async put(name: string, config: ConnectorConfig, file = name): Promise<void> {
    const r = await this.call<{ message?: string; error_code?: number }>(
      'put',
      `/connectors/${encodeURIComponent(name)}/config`,
      config,
    );
    if (r.status === 200 || r.status === 201) return;
    const msg = r.data?.message ?? JSON.stringify(r.data);
    if (r.status === 400 || r.status === 404 || r.status === 422) {
      throw new ConfigError(
        `Kafka Connect rejected ${file}: ${msg}`,
        `fix the connector config in ${file} (the message above names the offending key)`,
      );
    }
    throw new EnvError(
      `Kafka Connect failed to accept ${name} (HTTP ${r.status}): ${msg}`,
      'see the connect log in the stack dir',
    );
  }

  /** Validates a config against the plugin without creating it; returns the error messages per key. */
  async validate(config: ConnectorConfig): Promise<string[]> {
    const cls = config['connector.class'] ?? '';
    const plugin = cls.split('.').pop() ?? cls;
    const r = await this.call<{
      error_count?: number;
      configs?: { value: { name: string; errors: string[] } }[];
      message?: string;
    }>('put', `/connector-plugins/${encodeURIComponent(plugin)}/config/validate`, config);
    if (r.status !== 200) return [r.data?.message ?? `validation answered HTTP ${r.status}`];
    return (r.data.configs ?? []).flatMap((c) => c.value.errors.map((e) => `${c.value.name}: ${e}`));
  }

  async status(name: string): Promise<ConnectorStatus | undefined> {
    const r = await this.call<ConnectorStatus>('get', `/connectors/${encodeURIComponent(name)}/status`);
    if (r.status === 404) return undefined;
    if (r.status !== 200) throw new EnvError(`status of ${name}: HTTP ${r.status}`);
    return r.data;
  }

  async config(name: string): Promise<ConnectorConfig | undefined> {
    const r = await this.call<ConnectorConfig>('get', `/connectors/${encodeURIComponent(name)}/config`);
    return r.status === 200 ? r.data : undefined;
  }

  /** Restarts the connector and its tasks (only failed ones when onlyFailed). */
  async restart(name: string, opts: { includeTasks?: boolean; onlyFailed?: boolean } = {}): Promise<void> {
    const q = `includeTasks=${opts.includeTasks ?? true}&onlyFailed=${opts.onlyFailed ?? false}`;
    const r = await this.call('post', `/connectors/${encodeURIComponent(name)}/restart?${q}`);
    if (r.status >= 300) throw new EnvError(`restart of ${name}: HTTP ${r.status}`);
  }

  async restartTask(name: string, task: number): Promise<void> {
    const r = await this.call('post', `/connectors/${encodeURIComponent(name)}/tasks/${task}/restart`);
    if (r.status >= 300) throw new EnvError(`restart of ${name} task ${task}: HTTP ${r.status}`);
  }

  /** PUT /connectors/{name}/{action} for the lifecycle verbs; anything but 2xx is an error naming the reason. */
  private async lifecycle(name: string, action: 'pause' | 'resume' | 'stop'): Promise<void> {
    const r = await this.call<{ message?: string }>('put', `/connectors/${encodeURIComponent(name)}/${action}`);
    if (r.status >= 300) throw new EnvError(`${action} of ${name}: HTTP ${r.status} ${r.data?.message ?? ''}`.trim());
  }

  pause(name: string): Promise<void> {
    return this.lifecycle(name, 'pause');
  }

  resume(name: string): Promise<void> {
    return this.lifecycle(name, 'resume');
  }

  /** STOPPED (KIP-875): tasks shut down and released; required before offsets can be reset. */
  stop(name: string): Promise<void> {
    return this.lifecycle(name, 'stop');
  }

  /** GET /connectors/{name}/offsets (KIP-875): the committed offsets, one entry per source or topic partition. */
  async offsets(name: string): Promise<ConnectorOffset[]> {
    const r = await this.call<{ offsets?: ConnectorOffset[] }>(
      'get',
      `/connectors/${encodeURIComponent(name)}/offsets`,
    );
    if (r.status >= 300) throw new EnvError(`reading the offsets of ${name}: HTTP ${r.status}`);
    return r.data.offsets ?? [];
  }

  async deleteOffsets(name: string): Promise<void> {
    const r = await this.call<{ message?: string }>('delete', `/connectors/${encodeURIComponent(name)}/offsets`);
    if (r.status >= 300)
      throw new EnvError(`resetting the offsets of ${name}: HTTP ${r.status} ${r.data?.message ?? ''}`.trim());
  }

  async delete(name: string): Promise<void> {
    const r = await this.call('delete', `/connectors/${encodeURIComponent(name)}`);
    if (r.status >= 300 && r.status !== 404) throw new EnvError(`delete of ${name}: HTTP ${r.status}`);
  }
}
