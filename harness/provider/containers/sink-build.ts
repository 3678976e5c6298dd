import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SinkBuilder } from '../../provision/es-sink.ts';
import { sinkBuildImage } from '../../provision/images.ts';
import { EnvError } from '../../util/errors.ts';
import { exec } from '../../util/exec.ts';
import { info } from '../../util/log.ts';
import type { BindMount } from './plan.ts';

/** Whether this machine can build the plugin itself (`mvn -v` works, which also needs a JDK). */
export async function hasMaven(): Promise<boolean> {
  return exec('mvn', ['-v'], { timeoutMs: 30_000 }).then(
    (r) => r.code === 0,
    () => false,
  );
}

/**
 * The one-shot container that builds the plugin: sources mounted read-only and copied (the build writes
 * target/), the plugin directory copied out, and Maven's repository kept in the cache between builds.
 */
export function sinkBuildSpec(
  src: string,
  into: string,
  m2: string,
  image: string,
): { image: string; bindMounts: BindMount[]; command: string[] } {
  return {
    image,
    bindMounts: [
      { source: src, target: '/src', mode: 'ro' },
      { source: into, target: '/out', mode: 'rw' },
      { source: m2, target: '/root/.m2', mode: 'rw' },
    ],
    command: [
      'sh',
      '-c',
      'cp -r /src /tmp/build && cd /tmp/build && rm -rf target && mvn -B -q package -DskipTests && ' +
        'cp -r target/plugin/. /out/',
    ],
  };
}

/** A SinkBuilder that runs Maven in a container, for Docker hosts without Maven or a JDK. */
export function containerSinkBuild(cache: string): SinkBuilder {
  return async (src, into) => {
    const m2 = join(cache, 'maven-container-repo');
    mkdirSync(m2, { recursive: true });
    const spec = sinkBuildSpec(src, into, m2, sinkBuildImage());
    info(`    building the Elasticsearch sink plugin in ${spec.image} (no Maven on this machine)`);
    const { GenericContainer, Wait } = await import('testcontainers');
    const log: string[] = [];
    try {
      const c = await new GenericContainer(spec.image)
        .withBindMounts(spec.bindMounts)
        .withCommand(spec.command)
        .withLogConsumer((stream) => stream.on('data', (line: string | Buffer) => log.push(String(line).trimEnd())))
        .withWaitStrategy(Wait.forOneShotStartup())
        .withStartupTimeout(900_000)
        .start();
      await c.stop();
    } catch (err) {
      throw new EnvError(
        `building the sink plugin in ${spec.image} failed: ${(err as Error).message}`,
        'install a JDK 17 and Maven to build it here instead, ' +
          'or set OUTBOX_CHAOS_IMAGE_MAVEN to a reachable Maven image',
        log.slice(-30).join('\n'),
      );
    }
    if (!existsSync(into) || !readdirSync(into).some((f) => f.endsWith('.jar'))) {
      throw new EnvError(
        `the sink build in ${spec.image} left no jar in ${into}`,
        'see its output below',
        log.slice(-30).join('\n'),
      );
    }
  };
}
