import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureEsSink } from '../../provision/es-sink.ts';
import { sinkBuildImage } from '../../provision/images.ts';
import { sinkBuildSpec } from './sink-build.ts';

describe('the sink plugin built without Maven on the machine', () => {
  it('runs Maven in a pinned image over read-only sources, copying the plugin directory out', () => {
    const spec = sinkBuildSpec(
      '/repo/connectors/es-sink',
      '/cache/plugins/x/outbox-chaos-es-sink.partial',
      '/cache/maven-container-repo',
      sinkBuildImage({}),
    );
    expect(spec.image).toBe('maven:3.9.9-eclipse-temurin-17');
    expect(spec.bindMounts).toEqual([
      { source: '/repo/connectors/es-sink', target: '/src', mode: 'ro' },
      { source: '/cache/plugins/x/outbox-chaos-es-sink.partial', target: '/out', mode: 'rw' },
      { source: '/cache/maven-container-repo', target: '/root/.m2', mode: 'rw' },
    ]);
    const script = spec.command.at(-1) ?? '';
    // The sources are mounted read-only, so the build happens in a copy; the result is target/plugin.
    expect(script).toMatch(/^cp -r \/src \/tmp\/build && cd \/tmp\/build/);
    expect(script).toMatch(/mvn -B -q package -DskipTests && cp -r target\/plugin\/\. \/out\/$/);
  });

  it('takes a mirror from OUTBOX_CHAOS_IMAGE_MAVEN', () => {
    expect(sinkBuildImage({ OUTBOX_CHAOS_IMAGE_MAVEN: 'mirror.example/maven:3.9.9-eclipse-temurin-17' })).toBe(
      'mirror.example/maven:3.9.9-eclipse-temurin-17',
    );
  });

  it('caches a finished build, and never a failed one', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'outbox-chaos-sink-'));
    await expect(
      ensureEsSink(cache, async (_src, into) => {
        writeFileSync(join(into, 'half.jar'), '');
        throw new Error('compiler crashed');
      }),
    ).rejects.toThrow('compiler crashed');
    const parent = readdirSync(join(cache, 'plugins'))[0] as string;
    expect(existsSync(join(cache, 'plugins', parent, 'outbox-chaos-es-sink'))).toBe(false);

    let builds = 0;
    const build = async (_src: string, into: string) => {
      builds++;
      writeFileSync(join(into, 'sink.jar'), '');
    };
    const dir = await ensureEsSink(cache, build);
    expect(readdirSync(join(dir, 'outbox-chaos-es-sink'))).toEqual(['sink.jar']);
    expect(await ensureEsSink(cache, build)).toBe(dir);
    expect(builds).toBe(1);
  });
});
