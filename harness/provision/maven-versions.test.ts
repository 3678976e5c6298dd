import { describe, expect, it } from 'vitest';
import { compareVersions, metadataVersions, nearestVersions, resolveVersion } from './maven-versions.ts';

/** The shape Maven Central serves (a shortened io.debezium:debezium-connector-postgres listing). */
const DEBEZIUM = `<?xml version="1.0" encoding="UTF-8"?>
<metadata>
  <groupId>io.debezium</groupId>
  <artifactId>debezium-connector-postgres</artifactId>
  <versioning>
    <latest>3.7.1.Final</latest>
    <release>3.7.1.Final</release>
    <versions>
      <version>2.7.3.Final</version>
      <version>2.7.4.Final</version>
      <version>3.2.0.CR1</version>
      <version>3.2.0.Final</version>
      <version>3.2.3.Final</version>
      <version>3.4.0.Alpha2</version>
      <version>3.4.0.Final</version>
      <version>3.4.10.Final</version>
      <version>3.4.3.Final</version>
      <version>3.5.0.Beta1</version>
      <version>3.6.1.Final</version>
      <version>3.7.1.Final</version>
    </versions>
  </versioning>
</metadata>`;

const KAFKA = ['3.8.1', '3.9.0', '3.9.1', '3.9.2', '4.0.0', '4.0.1', '4.0.2', '4.1.0', '4.1.1'];

describe('maven-metadata.xml versions', () => {
  it('lists the <version> entries (not <latest> or <release>)', () => {
    const vs = metadataVersions(DEBEZIUM);
    expect(vs).toHaveLength(12);
    expect(vs[0]).toBe('2.7.3.Final');
    expect(metadataVersions('<metadata/>')).toEqual([]);
  });

  it('orders numerically, pre-releases below their release', () => {
    expect(compareVersions('3.4.10.Final', '3.4.3.Final')).toBeGreaterThan(0);
    expect(compareVersions('3.2.0.CR1', '3.2.0.Final')).toBeLessThan(0);
    expect(compareVersions('3.4.0.Alpha2', '3.5.0.Beta1')).toBeLessThan(0);
    expect(compareVersions('4.0.0', '3.9.2')).toBeGreaterThan(0);
    expect(compareVersions('8.19.21', '8.19.4')).toBeGreaterThan(0);
  });
});

describe('resolving a version or pattern', () => {
  const listed = metadataVersions(DEBEZIUM);
  it('an exact version resolves to itself only when listed', () => {
    expect(resolveVersion('3.4.3.Final', listed)).toBe('3.4.3.Final');
    expect(resolveVersion('3.4.3', listed)).toBeUndefined();
    expect(resolveVersion('3.4.9.Final', listed)).toBeUndefined();
  });

  it('x stands for one number, and the newest match wins (numerically: 3.4.10 above 3.4.3)', () => {
    expect(resolveVersion('3.4.x.Final', listed)).toBe('3.4.10.Final');
    expect(resolveVersion('2.7.x.Final', listed)).toBe('2.7.4.Final');
    expect(resolveVersion('3.x.x.Final', listed)).toBe('3.7.1.Final');
    expect(resolveVersion('3.2.x.CR1', listed)).toBe('3.2.0.CR1');
    expect(resolveVersion('3.8.x.Final', listed)).toBeUndefined();
    expect(resolveVersion('4.0.x', KAFKA)).toBe('4.0.2');
    expect(resolveVersion('3.9.x', KAFKA)).toBe('3.9.2');
    // The qualifier is not a number: x never matches it.
    expect(resolveVersion('3.5.0.x', listed)).toBeUndefined();
  });

  it('names the nearest releases: the asked line when it has several, else the neighbours', () => {
    expect(nearestVersions('3.4.9.Final', listed)).toEqual(['3.4.0.Final', '3.4.3.Final', '3.4.10.Final']);
    expect(nearestVersions('3.9.7', KAFKA)).toEqual(['3.9.0', '3.9.1', '3.9.2']);
    expect(nearestVersions('5.0.0', KAFKA, 3)).toEqual(['4.0.2', '4.1.0', '4.1.1']);
    expect(nearestVersions('3.3.x', KAFKA, 2)).toEqual(['3.8.1', '3.9.0']);
    // Pre-releases are never offered.
    expect(nearestVersions('3.5.x.Final', listed)).not.toContain('3.5.0.Beta1');
    expect(nearestVersions('1.0', [])).toEqual([]);
  });
});
