import { afterEach, describe, expect, it } from 'vitest';
import {
  declarePublic,
  isSecretKey,
  mask,
  redactDeep,
  redactText,
  registerConfigSecrets,
  registerSecretKeys,
  resetSecrets,
} from './redact.ts';

afterEach(() => resetSecrets());

describe('the redaction rule', () => {
  it('treats conventional names and registered PASSWORD keys as secret, and ordinary keys not', () => {
    for (const k of [
      'connection.password',
      'database.password',
      'connection.username',
      'sasl.jaas.config',
      'elastic.https.ssl.key.password',
      'elastic.https.ssl.keystore.key',
      'elastic.https.ssl.keystore.certificate.chain',
      'elastic.https.ssl.truststore.certificates',
      'api.key',
      'elastic.apiKey',
      'oauth.token.endpoint.secret',
      'auth.token',
    ])
      expect(isSecretKey(k), k).toBe(true);
    for (const k of [
      'connection.url',
      'key.converter',
      'key.ignore',
      'transforms.key.field',
      'database.user',
      'topics',
      'key', // a row's key in a report's anomaly examples
    ])
      expect(isSecretKey(k), k).toBe(false);
    expect(redactDeep({ class: 'missing', key: '1000003' })).toEqual({ class: 'missing', key: '1000003' });
    expect(isSecretKey('custom.opaque')).toBe(false);
    registerSecretKeys(['custom.opaque']);
    expect(isSecretKey('custom.opaque')).toBe(true);
  });

  it('masks with the length and a short stable hash: equal values alike, different values not', () => {
    expect(mask('hunter2-secret')).toMatch(/^\*\*\*\(len 14, sha256:[0-9a-f]{6}\)$/);
    expect(mask('hunter2-secret')).toBe(mask('hunter2-secret'));
    expect(mask('hunter2-secret')).not.toBe(mask('hunter3-secret'));
  });

  it('masks secret keys in nested data and leaves the rest', () => {
    const out = redactDeep({
      sink: { effective: { 'connection.password': 's3cr3t-pw', 'batch.size': '500' } },
      list: [{ token: 'tok-123456' }],
      n: 3,
    });
    expect(out.sink.effective['connection.password']).toBe(mask('s3cr3t-pw'));
    expect(out.sink.effective['batch.size']).toBe('500');
    expect(out.list[0]?.token).toBe(mask('tok-123456'));
    expect(out.n).toBe(3);
    expect(JSON.stringify(out)).not.toContain('s3cr3t-pw');
  });

  it('masks the userinfo of any URL in free text, but not public credentials', () => {
    const t = redactText('GET https://alice:pa55word@es.example:9200/_bulk failed; see http://host/x');
    expect(t).toBe(`GET https://${mask('alice:pa55word')}@es.example:9200/_bulk failed; see http://host/x`);
    declarePublic('postgres');
    expect(redactText('postgresql://postgres:postgres@127.0.0.1:5432/db')).toBe(
      'postgresql://postgres:postgres@127.0.0.1:5432/db',
    );
  });

  it("masks a config's secret values wherever they appear later, URL-encoded too", () => {
    registerConfigSecrets({
      'connection.password': 'pw/with space',
      'connection.url': 'http://bobuser:urlpass99@es:9200',
      'sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required password="jaaspw";',
      'batch.size': '500',
    });
    const text = redactText('auth failed for pw/with space (pw%2Fwith%20space); bobuser said urlpass99; batch 500');
    expect(text).not.toMatch(/pw\/with space|pw%2Fwith%20space|urlpass99|bobuser/);
    expect(text).toContain('batch 500');
    expect(redactText('PlainLoginModule required password="jaaspw";')).not.toContain('jaaspw');
    expect(text).toContain(mask('pw/with space'));
  });

  it('leaves values too short to mask safely, and an already masked value, alone', () => {
    registerConfigSecrets({ 'x.password': 'abc' });
    expect(redactText('abc abc')).toBe('abc abc');
    const once = redactDeep({ 'x.password': 'longer-secret' });
    expect(redactDeep(once)).toEqual(once);
  });
});
