import { EnvError } from '../util/errors.ts';

/** Toxiproxy's names for the two directions: upstream = client → service, downstream = service → client. */
export type ToxicStream = 'upstream' | 'downstream';

export type ToxicType = 'latency' | 'bandwidth' | 'slow_close' | 'timeout' | 'reset_peer' | 'slicer' | 'limit_data';

export interface Toxic {
  name: string;
  type: ToxicType;
  stream: ToxicStream;
  /** Probability (0..1) that the toxic applies to a given connection. */
  toxicity: number;
  attributes: Record<string, number>;
}

export interface ProxyInfo {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: Toxic[];
}

/**
 * The slice of Toxiproxy's HTTP API that faults use, over plain fetch: the npm client has no types for
 * reset_peer or limit_data and no reset. Every error names the proxy and carries Toxiproxy's own message.
 */
export class ToxiproxyApi {
  constructor(readonly url: string) {}

  private async call<T>(
    method: string,
    path: string,
    what: string,
    body?: unknown,
  ): Promise<{ status: number; data: T | undefined; text: string }> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw new EnvError(
        `Toxiproxy at ${this.url} is unreachable (${what}): ${(err as Error).message}`,
        'is the stack up? run `outbox-chaos doctor`',
      );
    }
    const text = await res.text();
    let data: T | undefined;
    try {
      data = text ? (JSON.parse(text) as T) : undefined;
    } catch {
      data = undefined;
    }
    return { status: res.status, data, text };
  }

  private fail(what: string, r: { status: number; data: unknown; text: string }): never {
    const msg = (r.data as { error?: string } | undefined)?.error ?? (r.text.trim() || `HTTP ${r.status}`);
    throw new EnvError(`Toxiproxy refused to ${what}: ${msg} (HTTP ${r.status})`);
  }

  async getProxy(proxy: string): Promise<ProxyInfo> {
    const what = `read proxy "${proxy}"`;
    const r = await this.call<ProxyInfo>('GET', `/proxies/${enc(proxy)}`, what);
    if (r.status !== 200 || !r.data) this.fail(what, r);
    return r.data;
  }

  /** Disabling a proxy closes its listener and every open connection through it; enabling reopens the listener. */
  async setEnabled(proxy: string, enabled: boolean): Promise<ProxyInfo> {
    const what = `${enabled ? 'enable' : 'disable'} proxy "${proxy}"`;
    const cur = await this.getProxy(proxy);
    // POST with the full definition: accepted by every 2.x server (PATCH only by newer ones).
    const r = await this.call<ProxyInfo>('POST', `/proxies/${enc(proxy)}`, what, {
      name: cur.name,
      listen: cur.listen,
      upstream: cur.upstream,
      enabled,
    });
    if (r.status !== 200 || !r.data) this.fail(what, r);
    return r.data;
  }

  /** Points a proxy at another upstream (a failover): Toxiproxy restarts it, closing every open connection. */
  async setUpstream(proxy: string, upstream: string, enabled = true): Promise<ProxyInfo> {
    const what = `point proxy "${proxy}" at ${upstream}`;
    const cur = await this.getProxy(proxy);
    const r = await this.call<ProxyInfo>('POST', `/proxies/${enc(proxy)}`, what, {
      name: cur.name,
      listen: cur.listen,
      upstream,
      enabled,
    });
    if (r.status !== 200 || !r.data) this.fail(what, r);
    return r.data;
  }

  async listToxics(proxy: string): Promise<Toxic[]> {
    const what = `list toxics of proxy "${proxy}"`;
    const r = await this.call<Toxic[]>('GET', `/proxies/${enc(proxy)}/toxics`, what);
    if (r.status !== 200 || !r.data) this.fail(what, r);
    return r.data;
  }

  /** Adds a toxic; one left over under the same name (a start repeated without heal) is replaced. */
  async addToxic(proxy: string, toxic: Toxic): Promise<Toxic> {
    const what = `add ${toxic.type} toxic "${toxic.name}" to proxy "${proxy}"`;
    let r = await this.call<Toxic>('POST', `/proxies/${enc(proxy)}/toxics`, what, toxic);
    if (r.status === 409) {
      await this.removeToxic(proxy, toxic.name);
      r = await this.call<Toxic>('POST', `/proxies/${enc(proxy)}/toxics`, what, toxic);
    }
    if (r.status !== 200 || !r.data) this.fail(what, r);
    return r.data;
  }

  /** Removes a toxic; returns false when it was not there (so heals stay idempotent). A missing proxy is an error. */
  async removeToxic(proxy: string, name: string): Promise<boolean> {
    const what = `remove toxic "${name}" from proxy "${proxy}"`;
    const r = await this.call<unknown>('DELETE', `/proxies/${enc(proxy)}/toxics/${enc(name)}`, what);
    if (r.status === 204 || r.status === 200) return true;
    if (r.status === 404) {
      // 404 means either the toxic or the proxy is missing; only the former is fine.
      await this.getProxy(proxy);
      return false;
    }
    this.fail(what, r);
  }

  /** POST /reset: re-enables every proxy and removes every toxic. */
  async resetAll(): Promise<void> {
    const what = 'reset all proxies';
    const r = await this.call<unknown>('POST', '/reset', what);
    if (r.status !== 204 && r.status !== 200) this.fail(what, r);
  }
}

function enc(s: string): string {
  return encodeURIComponent(s);
}
