import { describe, expect, it } from 'vitest';
import { ConfigError } from '../util/errors.ts';
import { manifestVersions } from './manifest.ts';
import { opensearchArtifact } from './opensearch.ts';
import { DEFAULT_OS_MAJOR, resolveOsMajor } from './opensearch-versions.ts';

describe('OpenSearch majors', () => {
  it('2 (the default) is assembled and runs on Java 17 to 23; 3 carries its modules and needs Java 21+', () => {
    expect(DEFAULT_OS_MAJOR).toBe('2');
    expect(resolveOsMajor(undefined)).toMatchObject({ major: '2', modules: 'assembled', minJava: 17, maxJava: 23 });
    const three = resolveOsMajor('3');
    expect(three).toMatchObject({ major: '3', modules: 'bundled', minJava: 21 });
    expect(three.version).toMatch(/^3\.\d+\.\d+$/);
    expect(three.maxJava).toBeUndefined();
    expect(three.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a major without a pin, naming the ones there are', () => {
    expect(() => resolveOsMajor('4')).toThrow(ConfigError);
    expect(() => resolveOsMajor('4')).toThrow(/the ones that exist are 2, 3/);
  });

  it('each major is a cached artifact of its own; the versions a stack reports name the one it runs', () => {
    const [two, three] = [opensearchArtifact('/c', '2'), opensearchArtifact('/c', '3')];
    expect(two.path).not.toBe(three.path);
    expect(three.key).toContain('modules bundled');
    expect(two.key).toMatch(/modules lang-painless,analysis-common,/);
    expect(manifestVersions('opensearch', '3')['opensearch']).toBe(three.name.split(' ')[1]);
    expect(manifestVersions('opensearch')['opensearch']).toBe(resolveOsMajor('2').version);
    expect(manifestVersions('opensearch', '3')['elasticsearch']).toBeUndefined();
  });
});
