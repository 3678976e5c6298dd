import { writeFileSync } from 'node:fs';
import { baseJvmFlags } from '../../provision/jvm-archives.ts';

/**
 * Kafka's Maven artifacts ship no logging config; this one logs INFO to stdout (the service log file) and
 * quiets the chattiest loggers so a failure's cause stays near the end of the log.
 */
export function writeLog4j2(path: string, quiet: string[] = []): void {
  const lines = [
    'status = warn',
    'appender.out.type = Console',
    'appender.out.name = out',
    'appender.out.layout.type = PatternLayout',
    'appender.out.layout.pattern = [%d{ISO8601}] %p %m (%c{1})%n',
    'rootLogger.level = info',
    'rootLogger.appenderRef.out.ref = out',
    ...quiet.flatMap((name, i) => [`logger.q${i}.name = ${name}`, `logger.q${i}.level = warn`]),
  ];
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** The fixed heap, GC and logging flags of the stack's Kafka-side JVMs (jvm.ts adds archives and class path). */
export function jvmFlags(heapMb: number, log4jFile: string): string[] {
  return [...baseJvmFlags(heapMb), `-Dlog4j2.configurationFile=${log4jFile}`];
}
