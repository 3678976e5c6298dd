import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { realpathSync } from 'node:fs';
import { EnvError } from '../util/errors.ts';

export interface Jdk {
  home: string;
  java: string;
  major: number;
}

function readMajor(home: string): number | null {
  try {
    const release = readFileSync(join(home, 'release'), 'utf8');
    const m = /JAVA_VERSION="(\d+)(?:\.(\d+))?/.exec(release);
    if (!m) return null;
    // Java 8 and older report "1.8"; anything we accept is 17+.
    return m[1] === '1' ? Number(m[2]) : Number(m[1]);
  } catch {
    return null;
  }
}

function candidates(): string[] {
  const homes = new Set<string>();
  for (const v of [process.env.OUTBOX_CHAOS_JAVA_HOME, process.env.JAVA_HOME]) if (v) homes.add(v);
  for (const root of ['/usr/lib/jvm', '/opt/java', '/usr/local/lib/jvm']) {
    if (!existsSync(root)) continue;
    for (const d of readdirSync(root)) homes.add(join(root, d));
  }
  try {
    // The java on PATH: /usr/bin/java → …/bin/java → its home.
    homes.add(dirname(dirname(realpathSync('/usr/bin/java'))));
  } catch {
    /* no java on PATH */
  }
  return [...homes];
}

/**
 * Finds a JDK of at least `min`, preferring the lowest such major (the one a service is tested on most).
 * `envVar` names a variable the user can set to force a choice.
 */
export function findJdk(min: number, purpose: string, envVar: string): Jdk {
  const forced = process.env[envVar];
  const homes = forced ? [forced] : candidates();
  const found: Jdk[] = [];
  for (const home of homes) {
    const java = join(home, 'bin', 'java');
    const major = readMajor(home);
    if (major !== null && existsSync(java)) found.push({ home, java, major });
  }
  const ok = found.filter((j) => j.major >= min).sort((a, b) => a.major - b.major);
  const best = ok[0];
  if (!best) {
    const seen = found.map((j) => `${j.home} (Java ${j.major})`).join(', ') || 'none';
    throw new EnvError(
      `no JDK ${min}+ found for ${purpose} (found: ${seen})`,
      `install a JDK ${min} or newer (e.g. apt-get install openjdk-${min}-jdk-headless) or set ${envVar} to its home`,
    );
  }
  return best;
}
