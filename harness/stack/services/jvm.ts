import { baseJvmFlags, type ArchivedJvm } from '../../provision/jvm-archives.ts';
import type { StackContext } from '../context.ts';

/**
 * How the stack starts its Kafka-side JVMs (brokers and Connect workers): the java binary, then the fixed heap,
 * GC and logging flags, the class-data archive or AOT cache provisioning trained for that JVM, and the class
 * path. kafka.ts and connect.ts add only their main class and config file.
 */
export function kafkaJava(ctx: StackContext): string {
  return ctx.artifacts.kafkaJdk.java;
}

export function jvmArgs(ctx: StackContext, jvm: ArchivedJvm, heapMb: number, log4jFile: string): string[] {
  const archive = ctx.artifacts.jvmArchives?.[jvm] ?? [];
  const classpath = jvm === 'connect' ? (ctx.artifacts.connectLib ?? ctx.artifacts.kafkaLib) : ctx.artifacts.kafkaLib;
  return [...baseJvmFlags(heapMb), `-Dlog4j2.configurationFile=${log4jFile}`, ...archive, '-cp', `${classpath}/*`];
}
