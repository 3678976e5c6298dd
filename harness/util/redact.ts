import { createHash } from 'node:crypto';

/**
 * The one redaction rule of everything the harness writes or prints (docs/secrets.md). A value is secret when
 * its key is one Kafka Connect types PASSWORD (learnt from our sink's config-defaults.json and from a worker's
 * /connector-plugins/{class}/config), or when its name holds a secret by convention; the userinfo of any URL
 * is secret; and every secret value seen in an input (a connector file, an env file) is masked wherever it
 * appears in free text, service logs included.
 */

/** Names that hold secrets by convention, whatever the plugin declares. */
const SECRET_NAME = new RegExp(
  [
    'password|passwd|passphrase|secret|token|credential|username',
    'api[._-]?key|apikey|private[._-]?key|sasl\\.jaas\\.config',
    // A dotted key (ssl.key); the bare word is a row's key in a report, never a secret.
    '\\.(key|keytab)$|^keytab$|truststore\\.certificates|certificate\\.chain',
  ].join('|'),
  'i',
);

/** Keys declared PASSWORD by a connector's ConfigDef (exact names). */
const passwordKeys = new Set<string>();
/** Secret values seen in inputs; masked in any text. */
const knownValues = new Set<string>();

/** Credentials printed in the project's own docs (the local stack's built-in ones): never masked. */
const publicValues = new Set<string>();

/** Declares values that are no secret (the local stack's fixed Postgres user and password). */
export function declarePublic(...values: string[]): void {
  for (const v of values) publicValues.add(v);
}

/** Values too short to mask safely in free text (they would hit ordinary words); keys still mask them. */
const MIN_KNOWN = 4;

export function registerSecretKeys(keys: Iterable<string>): void {
  for (const k of keys) passwordKeys.add(k);
}

/** Remembers a secret value (and its URL-encoded form) so that free text never shows it. */
export function registerSecretValue(value: string | undefined): void {
  if (!value || value.length < MIN_KNOWN || value.startsWith('***(') || publicValues.has(value)) return;
  knownValues.add(value);
  const enc = encodeURIComponent(value);
  if (enc !== value) knownValues.add(enc);
}

/** Forgets the registered keys and values (for tests). */
export function resetSecrets(): void {
  passwordKeys.clear();
  knownValues.clear();
}

export function isSecretKey(key: string): boolean {
  return passwordKeys.has(key) || SECRET_NAME.test(key);
}

/** `***(len 12, sha256:ab12cd)`: the same value always masks the same, two different ones (almost) never alike. */
export function mask(value: string): string {
  const h = createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 6);
  return `***(len ${value.length}, sha256:${h})`;
}

/** scheme://user:pass@host → scheme://***(…)@host; the whole userinfo is one masked value. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@?#'"<>]+)@/gi;

function maskUrlUserinfo(text: string): string {
  return text.replace(URL_USERINFO, (m, scheme: string, userinfo: string) =>
    userinfo.startsWith('***(') || userinfo.split(':').every((p) => publicValues.has(safeDecode(p)))
      ? m
      : `${scheme}${mask(userinfo)}@`,
  );
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

let knownPattern: { size: number; re: RegExp | undefined } = { size: -1, re: undefined };
function knownRegExp(): RegExp | undefined {
  if (knownPattern.size !== knownValues.size) {
    // Longest first, so that a value containing another masks as a whole.
    const alts = [...knownValues].sort((a, b) => b.length - a.length).map(escapeRegExp);
    knownPattern = { size: knownValues.size, re: alts.length ? new RegExp(alts.join('|'), 'g') : undefined };
  }
  return knownPattern.re;
}

/** Masks URL userinfo and every registered secret value in free text (log lines, messages, rendered files). */
export function redactText(text: string): string {
  const re = knownRegExp();
  const masked = re ? text.replace(re, (v) => mask(v)) : text;
  return maskUrlUserinfo(masked);
}

/** A copy of a string-valued config with every secret key's value masked and the rest's free text masked. */
export function redactConfig(config: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, redactEntry(k, v) as string]));
}

/** One setting's value as it may be shown: masked when its key is secret, its free text masked otherwise. */
export function redactSetting(key: string, value: string): string {
  return redactEntry(key, value) as string;
}

function redactEntry(key: string, value: unknown): unknown {
  if (isSecretKey(key) && (typeof value === 'string' || typeof value === 'number'))
    return String(value).startsWith('***(') ? value : mask(String(value));
  return redactDeep(value);
}

/** A deep copy of JSON-like data with secret keys' values masked and every string's free text masked. */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactEntry(k, v)])) as T;
  return value;
}

/**
 * Registers what a connector config holds that is secret: the values of secret keys, and the user and
 * password of any URL's userinfo. `except` are values known not to be secret (the local stack's built-in
 * password, which is in the project's source).
 */
export function registerConfigSecrets(config: Record<string, unknown>, except: readonly string[] = []): void {
  const add = (v: string): void => {
    if (!except.includes(v)) registerSecretValue(v);
  };
  for (const [k, raw] of Object.entries(config)) {
    if (typeof raw !== 'string' && typeof raw !== 'number') continue;
    const v = String(raw);
    if (isSecretKey(k)) add(v);
    // A JAAS config's quoted credentials, which a client may echo on their own.
    for (const m of v.matchAll(/\b(?:password|username|token)\s*=\s*"([^"]*)"/gi)) add(m[1] ?? '');
    for (const m of v.matchAll(URL_USERINFO)) {
      const userinfo = m[2] ?? '';
      add(userinfo);
      for (const part of userinfo.split(':')) {
        add(part);
        add(safeDecode(part));
      }
    }
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
