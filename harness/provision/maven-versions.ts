/**
 * Version arithmetic over what a Maven repository lists (maven-metadata.xml): pure functions, no network.
 * A version is dot-separated segments; numeric ones compare as numbers, and a trailing qualifier such as
 * `Final`, `CR1`, `Beta2` orders pre-releases below the release.
 */

/** The `<version>` entries of a maven-metadata.xml, in the order listed. */
export function metadataVersions(xml: string): string[] {
  const out: string[] = [];
  for (const m of xml.matchAll(/<version>\s*([^<\s]+)\s*<\/version>/g)) if (m[1]) out.push(m[1]);
  return [...new Set(out)];
}

/** `x` (or `*`) stands for one numeric segment: `3.4.x.Final`, `4.0.x`, `8.19.x`. */
export function isPattern(asked: string): boolean {
  return asked.split('.').some((s) => s === 'x' || s === 'X' || s === '*');
}

export function matchesPattern(version: string, pattern: string): boolean {
  const v = version.split('.');
  const p = pattern.split('.');
  if (v.length !== p.length) return false;
  return p.every((seg, i) => ((seg === 'x' || seg === 'X' || seg === '*') && /^\d+$/.test(v[i] ?? '')) || seg === v[i]);
}

const QUALIFIER_RANK: [RegExp, number][] = [
  [/^(alpha|a)\d*$/i, 1],
  [/^(beta|b)\d*$/i, 2],
  [/^(milestone|m)\d*$/i, 3],
  [/^(cr|rc)\d*$/i, 4],
  [/^snapshot$/i, 0],
  [/^(final|ga|release)$/i, 5],
];

function qualifierRank(q: string): number {
  return QUALIFIER_RANK.find(([re]) => re.test(q))?.[1] ?? 5;
}

/** A release, not a pre-release: numeric segments, optionally `.Final` (Debezium's releases carry it). */
export function isRelease(version: string): boolean {
  return /^\d+(\.\d+)*(\.(Final|GA|RELEASE))?$/i.test(version);
}

/** Orders versions: numeric segments numerically, then a qualifier (Alpha < Beta < CR < Final). */
export function compareVersions(a: string, b: string): number {
  const split = (v: string) => {
    const segs = v.split('.');
    const nums: number[] = [];
    while (segs.length && /^\d+$/.test(segs[0] ?? '')) nums.push(Number(segs.shift()));
    return { nums, qual: segs.join('.') };
  };
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < Math.max(x.nums.length, y.nums.length); i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return d;
  }
  const rx = x.qual ? qualifierRank(x.qual) : 5;
  const ry = y.qual ? qualifierRank(y.qual) : 5;
  if (rx !== ry) return rx - ry;
  return x.qual.localeCompare(y.qual, 'en', { numeric: true });
}

/** The exact version `asked` names in `listed`: itself when listed, the newest match of a pattern, else undefined. */
export function resolveVersion(asked: string, listed: readonly string[]): string | undefined {
  if (!isPattern(asked)) return listed.includes(asked) ? asked : undefined;
  return [...listed]
    .filter((v) => matchesPattern(v, asked))
    .sort(compareVersions)
    .at(-1);
}

/**
 * The listed releases nearest to `asked`, for an error message: its line (the releases sharing its first two or
 * more segments) when that has several, else the neighbours where it would sort; at most `n`, ascending.
 */
export function nearestVersions(asked: string, listed: readonly string[], n = 6): string[] {
  const releases = [...new Set(listed.filter(isRelease))].sort(compareVersions);
  if (releases.length === 0) return [];
  const probe = asked.replace(/(^|\.)[xX*](?=\.|$)/g, '$10');
  const a = probe.split('.');
  const shared = (v: string) => {
    const s = v.split('.');
    let i = 0;
    while (i < a.length && s[i] === a[i]) i++;
    return i;
  };
  const best = Math.max(...releases.map(shared));
  const line = releases.filter((v) => shared(v) === best);
  if (best >= 2 && line.length >= 2) return line.slice(-n);
  let at = releases.findIndex((v) => compareVersions(v, probe) > 0);
  if (at < 0) at = releases.length;
  const from = Math.max(0, Math.min(at - Math.ceil(n / 2), releases.length - n));
  return releases.slice(from, from + n);
}
